//! A Unix pattern that restricts both day-of-month and day-of-week runs
//! when *either* matches (Vixie cron); AWS cron restricts one of the two
//! (`?` in the other). Such a pattern becomes two halves, which AWS runs
//! twice on a day matching both: refused, accepted, or avoided by listing
//! the day-of-month half's dates, as [`DomDow`] says.

use jiff::tz::TimeZone;

use super::{
    Counterexample, DomDow, Duplicates, NotRepresentable, Options, Part, RefusalKind, Remedy,
};
use crate::schedule::{Cron, DayOfMonth, DayOfWeek, DayRule, Days, Schedule};

/// The parts to translate, and whether their double runs are accepted.
pub(super) fn split(
    cron: &Cron,
    zone: &TimeZone,
    options: &Options,
) -> Result<(Vec<Part>, Duplicates), NotRepresentable> {
    // Day-of-month OR day-of-week: AWS needs `?` in one field, so the
    // pattern becomes two halves that fire alike except on shared days.
    let mut duplicates = Duplicates::Reject;
    let mut parts: Vec<Part> = Vec::new();
    if cron.days.rule == DayRule::Either {
        let dom_half = Cron {
            days: Days::new(cron.days.day_of_month, DayOfWeek::ALL, DayRule::Both),
            ..*cron
        };
        let dow_half = Cron {
            days: Days::new(DayOfMonth::ALL, cron.days.day_of_week, DayRule::Both),
            ..*cron
        };
        let both = Cron {
            days: Days::new(cron.days.day_of_month, cron.days.day_of_week, DayRule::Both),
            ..*cron
        };
        let shared = Schedule::new(both, zone.clone())
            .fires_after(options.from)
            .next();
        match (shared, options.dom_dow) {
            (None, _) => parts.extend([Part::Pattern(dom_half), Part::Pattern(dow_half)]),
            (Some(_), DomDow::Double) => {
                duplicates = Duplicates::Accept;
                parts.extend([Part::Pattern(dom_half), Part::Pattern(dow_half)]);
            }
            (Some(_), DomDow::Expand) => {
                parts.push(Part::Pattern(dow_half));
                parts.push(Part::Explicit(dom_half, Some(cron.days.day_of_week)));
            }
            (Some(instant), DomDow::Refuse) => {
                return Err(NotRepresentable {
                    kind: RefusalKind::NotExact,
                    reason: format!(
                        "the schedule runs on days matching day-of-month OR day-of-week; AWS cron restricts only one field, and split in two the halves both run on {} (a day matching both)",
                        instant.to_zoned_datetime(zone.clone()).date()
                    ),
                    counterexample: Some(Counterexample {
                        instant,
                        source_count: 1,
                        target_count: 2,
                    }),
                    options: vec![
                        Remedy::DomDow(DomDow::Double),
                        Remedy::DomDow(DomDow::Expand),
                        Remedy::OneDayField,
                    ],
                });
            }
        }
    } else {
        parts.push(Part::Pattern(*cron));
    }
    Ok((parts, duplicates))
}
