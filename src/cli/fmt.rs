//! `conduit fmt`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: FmtArgs) -> Exit {
    Exit::Usage
}
