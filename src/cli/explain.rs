//! `conduit explain`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: ExplainArgs) -> Exit {
    eprintln!("conduit explain is not available yet");
    Exit::Usage
}
