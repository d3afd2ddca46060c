//! The manifest reader never panics on any text, and an accepted manifest
//! prints to one that is accepted again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        cronport_fuzz::check_manifest(text);
    }
});
