//! The `cronport` command. Argument parsing and printing only: the work is
//! done by the library, so a Rust program can do everything the CLI does.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
