//! `conduit compile`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: CompileArgs) -> Exit {
    eprintln!("conduit compile is not available yet");
    Exit::Usage
}
