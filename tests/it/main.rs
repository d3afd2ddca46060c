//! cronport's integration tests, one binary with a module per area
//! (`cargo test --test it`; `cargo test --test it render::` for one area).
//! One binary links the AWS SDK once instead of once per file. The schedule
//! core's own tests (translation, DST, properties, parse errors) are in
//! `crates/cronport-core/tests/core/`.

mod common;
#[path = "support/fire.rs"]
mod fire;
#[path = "support/moto.rs"]
mod moto;

mod alerts;
mod aws;
mod calendar;
mod cli_convert;
mod cli_deploy;
mod cli_explain;
mod cli_translate;
mod commands;
mod contract;
mod cost;
mod cutover_live;
mod cutover_steps;
mod diff;
mod docs;
mod fuzz_corpus;
mod guide;
mod hardening;
mod import;
mod install;
mod layers;
mod manifest;
mod migration_day;
mod operations;
mod readme_quickstart;
mod render;
mod verify;
