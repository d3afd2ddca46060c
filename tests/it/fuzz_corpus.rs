//! Replays every fuzz corpus file (seeds, and crashing inputs kept as
//! regressions) through the same check the fuzz targets run, so a fixed
//! crash stays fixed without a fuzzer installed.

#[path = "../../fuzz/src/lib.rs"]
mod fuzz_check;

use cronport::syntax::Grammar;

#[test]
fn every_corpus_input_passes_the_fuzz_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut checked = 0;
    for (dir, grammar) in [
        ("parse_unix", Grammar::Unix),
        ("parse_aws", Grammar::Aws),
        ("parse_heroku", Grammar::Heroku),
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                fuzz_check::check(grammar, text);
                checked += 1;
            }
        }
    }
    assert!(checked >= 28, "only {checked} corpus inputs found");
}

#[test]
fn every_importer_and_manifest_corpus_input_passes_the_fuzz_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut checked = 0;
    for format in [
        "heroku",
        "terraform",
        "crontogo",
        "crontab",
        "ecschedule",
        "manifest",
    ] {
        let dir = if format == "manifest" {
            "manifest_toml".to_string()
        } else {
            format!("import_{format}")
        };
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            if format == "manifest" {
                fuzz_check::check_manifest(text);
            } else {
                fuzz_check::check_import(format, text);
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} corpus inputs found");
}
