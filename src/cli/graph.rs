//! `conduit graph`: draw the zone/conduit map as DOT, Mermaid or SVG,
//! optionally with a blast radius highlighted.

use super::blast::{options, parse_date};
use super::Exit;
use crate::graph::{self, render};
use crate::model::Date;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Policy files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format (SVG needs no Graphviz).
    #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
    pub format: GraphFormat,
    /// Highlight the blast radius: reached zones and easiest paths.
    #[arg(long)]
    pub blast: bool,
    /// With --blast: start from this zone or asset; repeatable.
    #[arg(long = "from", value_name = "ZONE|ZONE.ASSET", requires = "blast")]
    pub from: Vec<String>,
    /// With --blast: analyse as if this conduit were removed; repeatable.
    #[arg(long = "cut", value_name = "CONDUIT", requires = "blast")]
    pub cut: Vec<String>,
    /// With --blast: treat every conduit as pivot-capable.
    #[arg(long, requires = "blast")]
    pub assume_any_pivot: bool,
    /// Judge conduit expiry on this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: GraphArgs) -> Exit {
    let loaded = match super::common::load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let model = &loaded.model;
    let report = if args.blast {
        let as_of = args.as_of.unwrap_or_else(super::today);
        match options(
            model,
            &args.from,
            &args.cut,
            None,
            args.assume_any_pivot,
            as_of,
        ) {
            Ok(o) => Some(graph::analyze(model, &o)),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        }
    } else {
        None
    };
    let text = match args.format {
        GraphFormat::Dot => render::render_dot(model, report.as_ref()),
        GraphFormat::Mermaid => render::render_mermaid(model, report.as_ref()),
        GraphFormat::Svg => render::render_svg(model, report.as_ref()),
    };
    super::common::emit_output(args.output.as_deref(), &text)
}
