//! `conduit export`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: ExportArgs) -> Exit {
    Exit::Usage
}
