//! `cronport cost`: the bundled example's monthly figures against a hand
//! computation from the price table's unit prices (runs counted from the
//! calendar, seconds rounded as Fargate bills), months that differ, and
//! the errors that name what to fix.

use serde_json::Value;

use super::common::{cronport, text};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/heroku/cronport.toml");
const REHEARSAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/heroku/rehearsal.json"
);

fn estimate(args: &[&str]) -> Value {
    let out = cronport(&[&["cost"], args, &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_str(&text(&out.stdout)).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn the_example_costs_what_the_unit_prices_say() {
    let prices: toml::Value = toml::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/prices/prices.toml"))
            .unwrap(),
    )
    .unwrap();
    let rate = |arch: &str, unit: &str| {
        prices["fargate"]["us-east-1"][arch][unit]
            .as_float()
            .unwrap()
    };
    let rehearsal: Value =
        serde_json::from_str(&std::fs::read_to_string(REHEARSAL).unwrap()).unwrap();
    let seconds = |job: &str| {
        rehearsal["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["job"] == job)
            .unwrap()["seconds"]
            .as_u64()
            .unwrap()
    };
    let e = estimate(&[
        EXAMPLE,
        "--region",
        "us-east-1",
        "--durations",
        REHEARSAL,
        "--from",
        "2026-12-07T08:00:00Z",
    ]);
    assert_eq!(e["months"][0], "2027-01");
    assert_eq!(e["months"][11], "2027-12");
    // 2027's months: 28 days the least, 31 the most and the median.
    let (least, most) = (28u64, 31u64);
    let mut total = 0.0;
    for job in e["jobs"].as_array().unwrap() {
        let name = job["job"].as_str().unwrap();
        // Runs a day, from the schedule's words in the example.
        let per_day = match name {
            "rake-push-fan-out" | "rake-sightings-geocode-pending" => 144,
            "rails-runner-devices-sync-call"
            | "rake-batteries-low-battery"
            | "rake-cache-warm-spot-maps" => 24,
            _ => 1,
        };
        assert_eq!(job["runs"]["min"], per_day * least, "{name}");
        assert_eq!(job["runs"]["typical"], per_day * most, "{name}");
        assert_eq!(job["runs"]["max"], per_day * most, "{name}");
        // The dyno's Fargate size, as the README's table gives it.
        let (vcpu, gb) = match job["dyno"].as_str().unwrap() {
            "standard-1x" => (0.25, 0.5),
            "standard-2x" => (0.5, 1.0),
            "performance-m" => (2.0, 4.0),
            other => panic!("{other}"),
        };
        assert_eq!(
            (
                job["vcpu"].as_f64().unwrap(),
                job["memory_gb"].as_f64().unwrap()
            ),
            (vcpu, gb)
        );
        // Per second, one minute at least.
        let billed = seconds(name).max(60) as f64;
        let runs = (per_day * most) as f64;
        for (field, arch) in [("aws", "x86"), ("aws_arm", "arm"), ("aws_spot", "spot")] {
            let expected =
                runs * billed * (vcpu * rate(arch, "vcpu_hour") + gb * rate(arch, "gb_hour"))
                    / 3600.0;
            let got = job[field]["typical"].as_f64().unwrap();
            assert!(close(got, expected), "{name} {field}: {got} vs {expected}");
        }
        // Heroku: the dyno's month over 720 hours, to the second.
        let month = prices["heroku"][job["dyno"].as_str().unwrap()]["month"]
            .as_float()
            .unwrap();
        let expected = runs * seconds(name) as f64 / 3600.0 * month / 720.0;
        assert!(
            close(job["heroku"]["typical"].as_f64().unwrap(), expected),
            "{name} heroku"
        );
        total += job["aws"]["typical"].as_f64().unwrap();
    }
    // 11,377 invocations a month: inside Scheduler's free 14 million.
    assert_eq!(e["scheduler"]["typical"], 0.0);
    assert!(close(e["aws_total"]["typical"].as_f64().unwrap(), total));
    assert_eq!(
        e["source"]["as_of"],
        prices["source"]["as_of"].as_str().unwrap()
    );

    // Without measurements a time limit bounds a run; the text says so,
    // and names where the prices come from.
    let out = cronport(&["cost", EXAMPLE, "--region", "us-east-1"]);
    let report = text(&out.stdout);
    assert!(report.contains("≤ 10m (time limit)"), "{report}");
    assert!(report.contains("as of 2026-12-07"), "{report}");
}

#[test]
fn runs_per_month_follow_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("cronport.toml");
    std::fs::write(
        &m,
        format!(
            "{}\n[[job]]\nname = \"month-end\"\nschedule = \"cron(0 0 L * ? *)\"\ncommand = \"x\"\n\n[[job]]\nname = \"leap-day\"\nschedule = \"0 0 29 2 *\"\ncommand = \"x\"\n\n[[job]]\nname = \"daily\"\nschedule = \"0 3 * * *\"\ncommand = \"x\"\nsize = \"basic\"\n",
            super::common::DEFAULTS
        ),
    )
    .unwrap();
    let m = m.to_str().unwrap();
    // July 2027 to June 2028: February 2028 has a 29th.
    let e = estimate(&[
        m,
        "--region",
        "ap-northeast-1",
        "--from",
        "2027-06-15T00:00:00Z",
    ]);
    let runs = |i: usize| e["jobs"][i]["runs"].clone();
    assert_eq!(
        runs(0),
        serde_json::json!({"min": 1, "typical": 1, "max": 1})
    );
    assert_eq!(
        runs(1),
        serde_json::json!({"min": 0, "typical": 0, "max": 1})
    );
    assert_eq!(
        runs(2),
        serde_json::json!({"min": 29, "typical": 31, "max": 31})
    );
    // The year before has no 29 February.
    let e = estimate(&[
        m,
        "--region",
        "ap-northeast-1",
        "--from",
        "2026-06-15T00:00:00Z",
    ]);
    assert_eq!(e["jobs"][1]["runs"]["max"], 0);
    assert_eq!(e["jobs"][2]["runs"]["min"], 28);
    // No size: the smallest Fargate size and standard-1x, both said.
    assert_eq!(e["jobs"][0]["size_assumed"], true);
    assert_eq!(e["jobs"][0]["dyno"], "standard-1x");
    assert_eq!(e["jobs"][0]["dyno_assumed"], true);
    assert_eq!(e["jobs"][2]["dyno"], "basic");
}

#[test]
fn negotiated_prices_replace_the_table_and_bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // No free tier and $2 a million: the scheduler line is the runs'.
    let prices = dir.path().join("prices.toml");
    let builtin = text(&cronport(&["cost", "--print-prices"]).stdout);
    std::fs::write(
        &prices,
        builtin
            .replace(
                "free_invocations_per_month = 14000000",
                "free_invocations_per_month = 0",
            )
            .replace(
                "per_million_invocations = 1.00",
                "per_million_invocations = 2.00",
            ),
    )
    .unwrap();
    let e = estimate(&[
        EXAMPLE,
        "--region",
        "us-east-1",
        "--prices",
        prices.to_str().unwrap(),
        "--from",
        "2026-12-07T00:00:00Z",
    ]);
    let invocations = e["invocations"]["typical"].as_f64().unwrap();
    assert!(close(
        e["scheduler"]["typical"].as_f64().unwrap(),
        invocations / 1e6 * 2.0
    ));

    let out = cronport(&["cost", EXAMPLE, "--region", "mars-north-1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no Fargate prices for region `mars-north-1`")
            && err.contains("--prices FILE"),
        "{err}"
    );

    // No --region, no ARN, no AWS_REGION: nothing to price in.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["cost", EXAMPLE])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("pass --region"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        &prices,
        builtin.replacen("x86 = { vcpu_hour = 0.04048", "x86 = { vcpu_hour = -1.0", 1),
    )
    .unwrap();
    let out = cronport(&[
        "cost",
        EXAMPLE,
        "--region",
        "us-east-1",
        "--prices",
        prices.to_str().unwrap(),
    ]);
    assert!(
        text(&out.stderr)
            .contains("the x86 prices of fargate.us-east-1 must be a number from 0 to 100"),
        "{}",
        text(&out.stderr)
    );

    let bad = dir.path().join("rehearsal.json");
    std::fs::write(&bad, "{\"jobs\": 3}").unwrap();
    let out = cronport(&[
        "cost",
        EXAMPLE,
        "--region",
        "us-east-1",
        "--durations",
        bad.to_str().unwrap(),
    ]);
    assert!(
        text(&out.stderr).contains("not a rehearsal report"),
        "{}",
        text(&out.stderr)
    );
}

/// `scripts/refresh-prices.py` reads an offer file in the shape of AWS's
/// Price List (AmazonECS) and writes the region's table, which `cost`
/// then prices with; other usage types (Windows, storage) are passed over.
#[test]
fn the_refresh_script_writes_a_region_from_an_offer_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("prices.toml");
    std::fs::copy(format!("{root}/prices/prices.toml"), &table).unwrap();
    let out = std::process::Command::new("python3")
        .arg(format!("{root}/scripts/refresh-prices.py"))
        .args([
            "--offer",
            &format!("{root}/tests/fixtures/offer-AmazonECS-eu-central-1.json"),
        ])
        .args(["--table", table.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written: toml::Value = toml::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    let region = &written["fargate"]["eu-central-1"];
    assert_eq!(region["x86"]["vcpu_hour"].as_float(), Some(0.04656));
    assert_eq!(region["arm"]["gb_hour"].as_float(), Some(0.00409));
    // The offer has no Spot usage type: 30% of on demand.
    assert_eq!(region["spot"]["vcpu_hour"].as_float(), Some(0.013968));
    // The other regions are as they were.
    assert_eq!(
        written["fargate"]["us-east-1"]["x86"]["vcpu_hour"].as_float(),
        Some(0.04048)
    );
    let e = estimate(&[
        EXAMPLE,
        "--region",
        "eu-central-1",
        "--prices",
        table.to_str().unwrap(),
    ]);
    assert_eq!(e["region"], "eu-central-1");
}

/// What an attack found, each now one sentence or a sound figure.
#[test]
fn bad_durations_dates_and_prices_are_refused_and_bounds_are_sound() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        path.to_str().unwrap().to_string()
    };
    let err = |args: &[&str]| {
        let out = cronport(&[&["cost", EXAMPLE, "--region", "us-east-1"], args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        text(&out.stderr)
    };
    let run = |job: &str, outcome: &str, seconds: &str| {
        format!(
            "{{\"job\": \"{job}\", \"outcome\": {outcome}, \"tasks\": [], \"seconds\": {seconds}, \"last_lines\": []}}"
        )
    };
    let ok = "{\"outcome\": \"exited\", \"detail\": 0}";
    let huge = file(
        "huge.json",
        &format!(
            "{{\"jobs\": [{}], \"failed\": []}}",
            run("rake-reports-daily", ok, "18446744073709551615")
        ),
    );
    assert!(err(&["--durations", &huge]).contains("more than a week"));
    let twice = file(
        "twice.json",
        &format!(
            "{{\"jobs\": [{}, {}], \"failed\": []}}",
            run("rake-reports-daily", ok, "60"),
            run("rake-reports-daily", ok, "90")
        ),
    );
    assert!(err(&["--durations", &twice]).contains("is in the report twice"));
    assert!(err(&["--from", "9998-12-01T00:00:00Z"]).contains("past the year 9999"));
    let builtin = text(&cronport(&["cost", "--print-prices"]).stdout);
    let nan = file(
        "nan.toml",
        &builtin.replace(
            "per_million_invocations = 1.00",
            "per_million_invocations = nan",
        ),
    );
    assert!(
        err(&["--prices", &nan])
            .contains("scheduler.per_million_invocations must be a number from 0")
    );
    let hours = file(
        "hours.toml",
        &builtin.replacen("hours = 720", "hours = inf", 1),
    );
    assert!(err(&["--prices", &hours]).contains("hours (above 0) must be a number from 0"));
    let eur = file(
        "eur.toml",
        &builtin.replace("currency = \"USD\"", "currency = \"USD;rm\""),
    );
    assert!(err(&["--prices", &eur]).contains("is not a currency code"));
    let out = cronport(&["cost", EXAMPLE, "--region", "a.b"]);
    assert!(
        text(&out.stderr).contains("is not a region name"),
        "{}",
        text(&out.stderr)
    );

    // A failed rehearsal's time is not the job's; a time limit longer than
    // the gap between runs is bounded by the gap; Heroku ran one dyno a
    // run whatever task_count AWS starts.
    let report = file(
        "r.json",
        &format!(
            "{{\"jobs\": [{}], \"failed\": [\"rake-push-fan-out\"]}}",
            run(
                "rake-push-fan-out",
                "{\"outcome\": \"exited\", \"detail\": 1}",
                "3"
            )
        ),
    );
    let m = file(
        "m.toml",
        &format!(
            "{}\n[[job]]\nname = \"hourly\"\nschedule = \"0 * * * *\"\ncommand = \"x\"\ntimeout = \"2d\"\ntask_count = 2\nsize = \"standard-1x\"\n",
            super::common::DEFAULTS
        ),
    );
    let e = estimate(&[EXAMPLE, "--region", "us-east-1", "--durations", &report]);
    let fan_out = e["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == "rake-push-fan-out")
        .unwrap();
    assert_eq!(fan_out["run_length"]["source"], "time_limit");
    let e = estimate(&[
        &m,
        "--region",
        "us-east-1",
        "--from",
        "2026-12-07T00:00:00Z",
    ]);
    let hourly = &e["jobs"][0];
    assert_eq!(
        hourly["run_length"]["seconds"], 3600,
        "bounded by the hour between runs"
    );
    // 744 runs of an hour: a dyno all month, at most its $25.
    assert_eq!(hourly["heroku"]["typical"], 25.0);
    let one_task = 744.0 * 3600.0 * (0.25 * 0.04048 + 0.5 * 0.004445) / 3600.0;
    assert!(close(
        hourly["aws"]["typical"].as_f64().unwrap(),
        2.0 * one_task
    ));
}
