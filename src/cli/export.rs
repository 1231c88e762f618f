//! `conduit export`: print the resolved model for other tools.

use super::Exit;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Yaml,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Policy files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Include the built-in services that the policy does not use.
    #[arg(long)]
    pub all_services: bool,
}

pub fn run(args: ExportArgs) -> Exit {
    let loaded = match super::common::load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let doc = crate::model::export::export(&loaded.model, args.all_services);
    let text = match args.format {
        ExportFormat::Json => serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        ExportFormat::Yaml => crate::model::export::to_yaml(&doc),
    };
    match text {
        Ok(t) => super::common::emit_output(None, &t),
        Err(e) => {
            eprintln!("error: cannot serialise the model: {e}");
            Exit::Usage
        }
    }
}
