//! `conduit graph`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: GraphArgs) -> Exit {
    eprintln!("conduit graph is not available yet");
    Exit::Usage
}
