//! `conduit inventory import FILE.csv`: an asset inventory becomes a draft
//! policy of zones and assets (docs/observe.md lists the columns).
//!
//! The draft goes to standard output or `-o FILE` (atomically); every
//! value the import could not use is a warning with the CSV line number.
//! Exit codes: 0 nothing reported, 1 values reported (the draft is still
//! written), 2 usage or I/O.

use super::common::emit_output;
use super::Exit;
use crate::observe::escape;
use crate::observe::inventory;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    #[command(subcommand)]
    pub command: InventoryCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum InventoryCommand {
    /// Turn an inventory CSV (NetBox-like columns) into a draft `.zc`.
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The inventory: CSV with a header line (name, address, role, site,
    /// zone or subnet, vendor/manufacturer, model, patchable, ...).
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    /// Write the draft here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: InventoryArgs) -> Exit {
    match args.command {
        InventoryCommand::Import(a) => import(a),
    }
}

fn import(args: ImportArgs) -> Exit {
    let name = escape(&args.file.display().to_string());
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error[E0401]: cannot read {name}: {e}");
            return Exit::Usage;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let draft = match inventory::import(text) {
        Ok(d) => d,
        Err(message) => {
            eprintln!(
                "{name}: error[{}]: {}",
                inventory::CODE_VALUE,
                escape(&message)
            );
            return Exit::Usage;
        }
    };
    for p in &draft.problems {
        eprintln!("{name}:{}: warning[{}]: {}", p.line, p.code, p.message);
    }
    eprintln!(
        "{name}: {} zones, {} assets, {} values reported",
        draft.zones,
        draft.assets,
        draft.problems.len()
    );
    match emit_output(args.output.as_deref(), &draft.text) {
        Exit::Clean if draft.problems.is_empty() => Exit::Clean,
        Exit::Clean => Exit::Findings,
        other => other,
    }
}
