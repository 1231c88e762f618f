//! `conduit blast`: how far a compromise spreads from IT into OT.
//!
//! Loads the policy, resolves `--from` and `--cut` names, runs
//! [`crate::graph::analyze`] and prints one of the renderers. Exit 1 when a
//! safety zone is reachable from the sources, 0 otherwise, 2 on usage or I/O
//! problems.

use super::Exit;
use crate::graph::{self, render, BlastOptions, Source};
use crate::model::{ConduitId, Date, Model};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlastFormat {
    Text,
    Json,
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// Policy files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Start from this zone or asset (`zone` or `zone.asset`); repeatable.
    /// Default: every zone of class `it` and `external`.
    #[arg(long = "from", value_name = "ZONE|ZONE.ASSET")]
    pub from: Vec<String>,
    /// Let the attacker cross at most N conduits.
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// Analyse as if this conduit were removed (what-if); repeatable.
    #[arg(long = "cut", value_name = "CONDUIT")]
    pub cut: Vec<String>,
    /// Treat every conduit as pivot-capable (worst case).
    #[arg(long)]
    pub assume_any_pivot: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BlastFormat::Text)]
    pub format: BlastFormat,
    /// Judge conduit expiry on this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Parses `--as-of`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

/// Resolves `zone` or `zone.asset` to a source.
pub fn resolve_source(model: &Model, text: &str) -> Result<Source, String> {
    let (zone_name, asset_name) = match text.split_once('.') {
        Some((z, a)) => (z, Some(a)),
        None => (text, None),
    };
    let zone = model
        .zone_by_name(zone_name)
        .ok_or_else(|| format!("--from {text}: no zone named `{zone_name}`"))?;
    let asset = match asset_name {
        None => None,
        Some(a) => Some(
            model
                .zone(zone)
                .assets
                .iter()
                .position(|x| x.name == a)
                .ok_or_else(|| format!("--from {text}: zone `{zone_name}` has no asset `{a}`"))?
                as u32,
        ),
    };
    Ok(Source { zone, asset })
}

/// Resolves `--cut` names.
pub fn resolve_cuts(model: &Model, names: &[String]) -> Result<BTreeSet<ConduitId>, String> {
    names
        .iter()
        .map(|n| {
            model
                .conduit_by_name(n)
                .ok_or_else(|| format!("--cut {n}: no conduit named `{n}`"))
        })
        .collect()
}

/// Builds the analysis options from the command line.
pub fn options(
    model: &Model,
    from: &[String],
    cut: &[String],
    depth: Option<u32>,
    assume_any_pivot: bool,
    as_of: Date,
) -> Result<BlastOptions, String> {
    Ok(BlastOptions {
        sources: from
            .iter()
            .map(|f| resolve_source(model, f))
            .collect::<Result<_, _>>()?,
        depth,
        cuts: resolve_cuts(model, cut)?,
        assume_any_pivot,
        as_of: Some(as_of),
    })
}

pub fn run(args: BlastArgs) -> Exit {
    let loaded = match super::common::load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let model = &loaded.model;
    let as_of = args.as_of.unwrap_or_else(super::today);
    let opts = match options(
        model,
        &args.from,
        &args.cut,
        args.depth,
        args.assume_any_pivot,
        as_of,
    ) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let report = graph::analyze(model, &opts);
    let text = match args.format {
        BlastFormat::Text => render::render_text(model, &report),
        BlastFormat::Json => render::render_json(model, &report),
        BlastFormat::Dot => render::render_dot(model, Some(&report)),
        BlastFormat::Mermaid => render::render_mermaid(model, Some(&report)),
    };
    match super::common::emit_output(args.output.as_deref(), &text) {
        Exit::Clean if report.safety_reached() => Exit::Findings,
        other => other,
    }
}
