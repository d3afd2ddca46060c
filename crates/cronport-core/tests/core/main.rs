//! cronport-core's integration tests, one binary with a module per area
//! (`cargo test -p cronport-core --test core`; `cargo test -p cronport-core
//! --test core translate::` for one area). They use the public API only and
//! compile no AWS SDK, async runtime or CLI parser.

mod common;

mod dst;
mod errors;
mod properties;
mod translate;
