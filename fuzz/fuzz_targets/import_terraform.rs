//! The terraform importer never panics on any text, and what it accepts survives
//! a trip through TOML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        cronport_fuzz::check_import("terraform", text);
    }
});
