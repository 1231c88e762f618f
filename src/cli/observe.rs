//! `conduit observe`: flow logs judged against the policy.
//!
//! Reads each `--log` file (or `-` for standard input) line by line,
//! judges every connection at its own instant with the firewall plan and
//! prints the deviations, the allowed flows and the unknown hosts
//! (text, JSON or Markdown). `--propose FILE` writes the conduits that
//! would allow the deviations, for review. Exit codes: 0 no deviation, 1
//! deviations, 2 usage or I/O. A malformed line is a warning with its file
//! and line number, skipped and counted. Gzipped logs are read as they are.

use super::common::{emit_output, load_or_exit, today, write_atomic};
use super::Exit;
use crate::compile::plan::{self, PlanOptions};
use crate::model::{Date, Mode};
use crate::observe::aggregate::Observer;
use crate::observe::read::{Format, Reader};
use crate::observe::report::{FileSummary, Report};
use crate::observe::stream::{each_line, RawLine, MAX_LINE};
use crate::observe::{propose, Line, LineError, CODE_BAD_LINE};
use std::io::BufRead;
use std::path::PathBuf;

/// Malformed lines printed per file; the rest are counted.
const SHOWN_PER_FILE: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    /// Detect from the first meaningful line.
    Auto,
    /// Zeek conn.log, tab-separated with `#fields` header.
    Zeek,
    /// Zeek conn.log as JSON lines.
    ZeekJson,
    /// Kernel log lines of conduit's nftables/iptables rules.
    Kernel,
    /// `ts,src,dst,proto,port`.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ObserveArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
    /// Flow log to read (repeatable); `-` reads standard input.
    #[arg(long = "log", required = true, value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    /// Format of the logs.
    #[arg(long, value_enum, default_value = "auto")]
    pub log_format: LogFormatArg,
    /// Date that gives the year of syslog timestamps, which carry none:
    /// the latest year that puts a line no later than the next day
    /// (default: today, UTC). Schedules and expiry are judged at each
    /// connection's own instant.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Write the report here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write proposed conduits for the deviations to this `.zc` file.
    #[arg(long, value_name = "FILE")]
    pub propose: Option<PathBuf>,
}

pub fn run(args: ObserveArgs) -> Exit {
    let reference = match args.as_of.as_deref().map(Date::parse) {
        None => today(),
        Some(Some(d)) => d,
        Some(None) => {
            eprintln!("error[E0304]: --as-of expects a date YYYY-MM-DD");
            return Exit::Usage;
        }
    };
    let loaded = match load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    // Built as of the epoch: no conduit is left out as expired, and each
    // rule's expiry is compared with each connection's instant.
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of: Date::from_days_since_epoch(0),
        interfaces: None,
        target: None,
    };
    let (plan, _) = plan::build(&loaded.model, &opts);
    let mut obs = Observer::new(&loaded.model, &plan);
    let format = match args.log_format {
        LogFormatArg::Auto => None,
        LogFormatArg::Zeek => Some(Format::Zeek),
        LogFormatArg::ZeekJson => Some(Format::ZeekJson),
        LogFormatArg::Kernel => Some(Format::Kernel),
        LogFormatArg::Csv => Some(Format::Csv),
    };
    let mut files = Vec::new();
    for path in &args.logs {
        match read_log(path, format, reference, &mut obs) {
            Ok(summary) => files.push(summary),
            Err(exit) => return exit,
        }
    }
    let report = Report::build(&obs, files);
    if let Some(path) = &args.propose {
        let text = propose::proposal(&obs).text;
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            eprintln!("error[E0401]: cannot write {}: {e}", path.display());
            return Exit::Usage;
        }
    }
    let text = match args.format {
        ReportFormat::Text => report.text(),
        ReportFormat::Json => report.json(),
        ReportFormat::Markdown => report.markdown(),
    };
    match emit_output(args.output.as_deref(), &text) {
        Exit::Clean if report.deviations.is_empty() => Exit::Clean,
        Exit::Clean => Exit::Findings,
        other => other,
    }
}

/// Reads one log into the observer; its counts, or exit 2 when it cannot
/// be read.
fn read_log(
    path: &PathBuf,
    format: Option<Format>,
    reference: Date,
    obs: &mut Observer<'_>,
) -> Result<FileSummary, Exit> {
    let name = path.display().to_string();
    let raw: Box<dyn std::io::Read> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => return Err(io_error(&name, &e)),
        }
    };
    let input = decompressed(raw).map_err(|e| io_error(&name, &e))?;
    let mut reader = Reader::new(format, reference);
    let mut s = FileSummary {
        file: name.clone(),
        format: None,
        lines: 0,
        connections: 0,
        malformed: 0,
        skipped: 0,
    };
    let result = each_line(input, |number, raw| {
        s.lines = number;
        let line = match raw {
            RawLine::Text(t) => reader.line(t),
            RawLine::TooLong(n) => Line::Bad(format!("line of {n} bytes, longer than {MAX_LINE}")),
        };
        match line {
            Line::Conn(c) => {
                s.connections += 1;
                obs.observe(&c);
            }
            Line::Skip => s.skipped += 1,
            Line::Bad(message) => {
                s.malformed += 1;
                if s.malformed <= SHOWN_PER_FILE {
                    let e = LineError {
                        file: name.clone(),
                        line: number,
                        message,
                    };
                    eprintln!("{e}");
                }
            }
        }
    });
    if let Err(e) = result {
        eprintln!(
            "error[E0401]: cannot read {}: {e}",
            crate::observe::escape(&name)
        );
        return Err(Exit::Usage);
    }
    if s.malformed > SHOWN_PER_FILE {
        eprintln!(
            "{}: {} more malformed lines not shown",
            crate::observe::escape(&name),
            s.malformed - SHOWN_PER_FILE
        );
    }
    s.format = reader.format().map(Format::as_str);
    if s.connections == 0 && s.lines > 0 {
        eprintln!(
            "{}: warning[{CODE_BAD_LINE}]: no connection in {} lines read as {}: is --log-format right?",
            crate::observe::escape(&name),
            s.lines,
            s.format.unwrap_or("auto")
        );
    }
    Ok(s)
}

fn io_error(name: &str, e: &std::io::Error) -> Exit {
    eprintln!(
        "error[E0401]: cannot read {}: {e}",
        crate::observe::escape(name)
    );
    Exit::Usage
}

/// The log's lines, gunzipped when it starts with the gzip magic bytes
/// (Zeek rotates its logs to `conn.HH:MM:SS-HH:MM:SS.log.gz`; concatenated
/// gzip members are read in turn).
fn decompressed(raw: Box<dyn std::io::Read>) -> std::io::Result<Box<dyn BufRead>> {
    let mut buffered = std::io::BufReader::with_capacity(1 << 18, raw);
    let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(std::io::BufReader::with_capacity(
            1 << 18,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}
