//! Command-line interface: one file per subcommand.
//!
//! This is the only layer that does I/O, reads the environment, the clock
//! and the terminal. Exit codes: 0 clean, 1 findings or errors in the
//! policy, 2 usage or I/O problems (see README.md).

mod blast;
mod check;
mod common;
mod compile;
mod completions;
mod diff;
mod explain;
mod export;
mod fmt;
mod graph;
mod inventory;
mod observe;
mod query;
mod report;

pub use common::{today, Exit};

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Compile IEC 62443 zone-and-conduit policies into firewall configurations.
///
/// A policy (`.zc`, or the same model in YAML) declares zones of assets with
/// their target security level and the conduits allowed between them.
/// `conduit` checks it against IEC 62443 rules, shows how far a compromise
/// would spread, and generates the firewall rules that enforce it.
#[derive(Debug, Parser)]
#[command(name = "conduit", version = env!("CONDUIT_VERSION"), propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and lint policy files; report every problem found.
    Check(check::CheckArgs),
    /// Print policy files in the canonical layout (or check that they are).
    Fmt(fmt::FmtArgs),
    /// Print the resolved model as JSON or YAML.
    Export(export::ExportArgs),
    /// Generate firewall configuration from a policy.
    Compile(compile::CompileArgs),
    /// Show how far a compromise spreads from IT zones into OT zones.
    Blast(blast::BlastArgs),
    /// Draw the zone and conduit map (DOT, Mermaid or SVG).
    Graph(graph::GraphArgs),
    /// Print the documentation of a rule or diagnostic code.
    Explain(explain::ExplainArgs),
    /// Judge flow logs (Zeek, kernel log, CSV) against the policy; propose conduits.
    Observe(observe::ObserveArgs),
    /// Asset inventory: `inventory import FILE.csv` drafts zones and assets.
    Inventory(inventory::InventoryArgs),
    /// Write evidence for auditors and insurers (HTML or Markdown).
    Report(report::ReportArgs),
    /// What a policy change opens, closes and exposes (for pull requests).
    Diff(diff::DiffArgs),
    /// Would the firewall allow this connection, and which conduit decides?
    Query(query::QueryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (or write one per subcommand with -o DIR).
    Man(completions::ManArgs),
}

/// Runs the binary: parses arguments, dispatches, maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let exit = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Export(args) => export::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Blast(args) => blast::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Observe(args) => observe::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Report(args) => report::run(args),
        Command::Query(args) => query::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    };
    exit.code()
}
