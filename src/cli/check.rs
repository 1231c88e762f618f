//! `conduit check`: not yet built.

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files or directories.
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: CheckArgs) -> Exit {
    Exit::Usage
}
