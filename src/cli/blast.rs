//! `conduit blast`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: BlastArgs) -> Exit {
    eprintln!("conduit blast is not available yet");
    Exit::Usage
}
