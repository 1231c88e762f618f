//! The `conduit` binary: parse arguments, run the subcommand, exit.

fn main() -> std::process::ExitCode {
    conduit::cli::main()
}
