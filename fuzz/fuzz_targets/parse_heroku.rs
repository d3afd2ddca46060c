//! The heroku parser never panics on any bytes, and whatever it accepts prints
//! to canonical text that parses back to the same pattern and fires alike.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    cronport_fuzz::check(cronport::syntax::Grammar::Heroku, text);
});
