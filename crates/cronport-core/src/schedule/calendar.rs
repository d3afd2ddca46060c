//! Proleptic Gregorian calendar arithmetic on plain integers.
//!
//! The fire-time search runs millions of times per second, so it does its
//! calendar work here, on integers, instead of through `jiff::civil` types.
//! The algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days`.

/// Seconds in a civil day. Civil time has no leap seconds.
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
pub(crate) const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` (1–12) of `year`.
pub(crate) const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the civil date `year-month-day`.
pub(crate) const fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of `days` since 1970-01-01.
pub(crate) const fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400) as i32 + (month <= 2) as i32;
    (year, month, day)
}

/// Day of the week of `days` since 1970-01-01, with Sunday = 0.
pub(crate) const fn weekday_from_days(days: i64) -> u8 {
    // 1970-01-01 was a Thursday.
    (days + 4).rem_euclid(7) as u8
}

/// A civil date and time to the minute, as the search walks it.
///
/// Fields may run one past their range (`minute == 60`, `hour == 24`,
/// `day == 32`, `month == 13`) while the search carries into the next
/// larger unit; [`Minute::normalize`] folds those carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Minute {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

impl Minute {
    /// The first whole minute at or after `local` seconds (a local, civil
    /// second count since 1970-01-01T00:00).
    pub(crate) fn ceil_from_local_seconds(local: i64) -> Minute {
        let local = local + (60 - local.rem_euclid(60)) % 60;
        let days = local.div_euclid(SECONDS_PER_DAY);
        let secs = local.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Minute {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days_over_four_centuries() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=days_in_month(y, m)).contains(&d));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn knows_some_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
        assert_eq!(weekday_from_days(days_from_civil(2024, 2, 29)), 4); // Thursday
        assert_eq!(weekday_from_days(days_from_civil(2199, 12, 31)), 2); // Tuesday
        assert!(!is_leap_year(2100));
        assert!(is_leap_year(2400));
    }

    #[test]
    fn ceils_to_the_minute() {
        let m = Minute::ceil_from_local_seconds(61);
        assert_eq!((m.hour, m.minute), (0, 2));
        assert_eq!(Minute::ceil_from_local_seconds(-30).minute, 0);
        assert_eq!(Minute::ceil_from_local_seconds(-30).year, 1970);
    }
}
