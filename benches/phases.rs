//! Scale benchmark: time and heap of every phase on generated plants of
//! 10, 100, 1,000 and 10,000 zones.
//!
//! ```text
//! cargo bench --bench phases                                   # all sizes
//! cargo bench --bench phases -- --sizes 10,100,1000 --runs 5   # fewer
//! cargo bench --bench phases -- --phase parse --sizes 10000    # one phase
//! ```
//!
//! Plants come from `examples/gen_plant.rs` (seed 1 unless `--seed`),
//! about ten zones, twenty assets and five conduits per zone. Each phase is
//! one function over the loaded plant ([`Workload`]); it runs `--runs`
//! times and the table shows the median and the fastest wall time, the heap
//! the phase allocated above what existed before it (its peak, counted by
//! a wrapper around the system allocator and reset before every run), the
//! absolute heap peak during the phase (the plant's text, syntax trees and
//! model that the benchmark holds, plus the phase), and how the median
//! grows per 10x zones (`10^k` for `t ~ zones^k` between adjacent sizes,
//! on the median CPU time, which other load on a shared machine disturbs
//! less than wall time). A phase's output is dropped after the clock stops.
//!
//! The last row runs `conduit check DIR` as a fresh process, as a user
//! would: its wall time includes start-up and a cold heap, and its note
//! gives the child's CPU time and peak resident memory.
//!
//! Phases are in [`PHASES`]; one line per phase: adding a phase is one
//! function over [`Workload`] and one row.

use conduit::check::{self, CheckReport, RuleConfig};
use conduit::compile::{self, Plan, PlanOptions};
use conduit::diagnostics::Severity;
use conduit::graph::{self, BlastOptions, BlastReport};
use conduit::model::{self, Date, Model};
use conduit::source::{FileId, SourceMap};
use conduit::syntax::{self, tree::Document};
use cpu_time::ProcessTime;
use peak_alloc::PeakAlloc;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "../examples/gen_plant.rs"]
#[allow(dead_code)]
mod gen_plant;

/// Counts current and peak heap bytes around the system allocator.
#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// One generated plant, loaded: what every phase starts from.
struct Workload {
    /// The directory the plant was written to (for the end-to-end load).
    dir: PathBuf,
    sources: SourceMap,
    /// The built-in catalog first, then `shared.zc` and the sites.
    files: Vec<(FileId, bool)>,
    docs: Vec<Document>,
    model: Model,
    stats: gen_plant::Stats,
    /// The date the generator placed expiries after; rules, blast radius
    /// and backends judge expiry as of this date.
    as_of: Date,
}

/// A phase's output, dropped after the clock stops (its heap still counts).
type Output = Box<dyn std::any::Any>;

/// A phase: a name, one run over the workload, and what to say about its
/// output (sizes, counts) once the clock has stopped.
struct Phase {
    name: &'static str,
    run: fn(&Workload) -> Output,
    note: fn(&Output) -> String,
    /// CPU time of a child process the phase ran, when it ran one (its
    /// heap is then not this process's either).
    child_cpu: fn(&Output) -> Option<Duration>,
}

fn no_note(_: &Output) -> String {
    String::new()
}

fn in_process(_: &Output) -> Option<Duration> {
    None
}

/// Every measured phase, in pipeline order.
const PHASES: &[Phase] = &[
    Phase {
        name: "parse",
        run: parse,
        note: no_note,
        child_cpu: in_process,
    },
    Phase {
        name: "resolve",
        run: resolve,
        note: no_note,
        child_cpu: in_process,
    },
    Phase {
        name: "load (read+parse+resolve)",
        run: load,
        note: no_note,
        child_cpu: in_process,
    },
    Phase {
        name: "rules (check::run)",
        run: rules,
        note: rules_note,
        child_cpu: in_process,
    },
    Phase {
        name: "blast radius (all IT sources)",
        run: blast,
        note: blast_note,
        child_cpu: in_process,
    },
    Phase {
        name: "compile plan",
        run: plan,
        note: plan_note,
        child_cpu: in_process,
    },
    Phase {
        name: "compile nftables (plan+emit)",
        run: nftables,
        note: files_note,
        child_cpu: in_process,
    },
    Phase {
        name: "compile iptables (plan+emit)",
        run: iptables,
        note: files_note,
        child_cpu: in_process,
    },
    Phase {
        name: "compile junos-srx (plan+emit)",
        run: junos_srx,
        note: files_note,
        child_cpu: in_process,
    },
    Phase {
        name: "compile panos (plan+emit)",
        run: panos,
        note: files_note,
        child_cpu: in_process,
    },
    Phase {
        name: "conduit check (CLI process)",
        run: cli_check,
        note: cli_note,
        child_cpu: cli_cpu,
    },
];

/// `syntax::parse` of every file (the built-in catalog included).
fn parse(w: &Workload) -> Output {
    let docs: Vec<_> = w
        .files
        .iter()
        .map(|(id, _)| syntax::parse(*id, w.sources.text(*id)))
        .collect();
    Box::new(docs)
}

/// `model::resolve` of the parsed files into one model, with the
/// whole-model integrity checks.
fn resolve(w: &Workload) -> Output {
    Box::new(model::resolve(&inputs(w)))
}

/// `conduit::load_policy` on the plant's directory: what `conduit check`
/// does before any rule (file reads and imports, parse, resolve).
fn load(w: &Workload) -> Output {
    Box::new(conduit::load_policy(std::slice::from_ref(&w.dir)))
}

/// Every rule of the built-in pack with its default configuration, and
/// the waivers, as of the generator's date.
fn rules(w: &Workload) -> Output {
    Box::new(check::run(&w.model, &RuleConfig::default(), w.as_of))
}

fn rules_note(out: &Output) -> String {
    let Some(r) = out.downcast_ref::<CheckReport>() else {
        return String::new();
    };
    format!(
        "{} findings ({} errors, {} warnings, {} waived)",
        r.findings.len(),
        r.count_active(Severity::Error),
        r.count_active(Severity::Warning),
        r.count_waived()
    )
}

/// Blast radius from every IT and external zone (the CLI's default).
fn blast(w: &Workload) -> Output {
    let opts = BlastOptions {
        as_of: Some(w.as_of),
        ..BlastOptions::default()
    };
    Box::new(graph::analyze(&w.model, &opts))
}

fn blast_note(out: &Output) -> String {
    let Some(r) = out.downcast_ref::<BlastReport>() else {
        return String::new();
    };
    format!(
        "{} sources, {} zones reached, {} OT crossings",
        r.sources.len(),
        r.zones.len(),
        r.crossings.len()
    )
}

fn plan_options(w: &Workload) -> PlanOptions {
    PlanOptions {
        mode: conduit::model::Mode::Enforce,
        log_denied: true,
        as_of: w.as_of,
        interfaces: None,
        target: None,
    }
}

/// The backend-neutral rule plan (every conduit, address matching only).
fn plan(w: &Workload) -> Output {
    Box::new(compile::plan::build(&w.model, &plan_options(w)))
}

fn plan_note(out: &Output) -> String {
    let Some((p, diags)) = out.downcast_ref::<(Plan, Vec<conduit::diagnostics::Diagnostic>)>()
    else {
        return String::new();
    };
    format!(
        "{} rules, {} sets, {} diagnostics",
        p.rules.len(),
        p.sets.len(),
        diags.len()
    )
}

/// Plan, then the named backend's files.
fn emit(w: &Workload, backend: &str) -> Output {
    let (plan, _) = compile::plan::build(&w.model, &plan_options(w));
    let files = compile::backend(backend)
        .map(|b| compile::generate(b, &plan))
        .map(|r| r.map_err(|d| d.len()));
    Box::new(files)
}

fn nftables(w: &Workload) -> Output {
    emit(w, "nftables")
}

fn iptables(w: &Workload) -> Output {
    emit(w, "iptables")
}

fn junos_srx(w: &Workload) -> Output {
    emit(w, "junos-srx")
}

fn panos(w: &Workload) -> Output {
    emit(w, "panos")
}

/// Size of the generated files: bytes and lines.
fn files_note(out: &Output) -> String {
    type Files = Option<Result<Vec<compile::OutputFile>, usize>>;
    match out.downcast_ref::<Files>() {
        Some(Some(Ok(files))) => {
            let bytes: usize = files.iter().map(|f| f.text.len()).sum();
            let lines: usize = files.iter().map(|f| f.text.lines().count()).sum();
            format!("{} files, {} MiB, {lines} lines", files.len(), mib(bytes))
        }
        Some(Some(Err(n))) => format!("{n} errors"),
        _ => "no such backend".to_string(),
    }
}

/// What a user runs: `conduit check DIR` in a fresh process (start-up,
/// cold heap, reading, every check the CLI does, rendering). Run under
/// `/usr/bin/time` when it exists, for the child's CPU time and peak RSS.
fn cli_check(w: &Workload) -> Output {
    let exe = env!("CARGO_BIN_EXE_conduit");
    let report = w.dir.with_extension("time");
    let time = std::path::Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = std::process::Command::new(time);
        c.arg("-f").arg("%U %S %M").arg("-o").arg(&report).arg(exe);
        c
    } else {
        std::process::Command::new(exe)
    };
    let status = cmd
        .arg("check")
        .arg("--as-of")
        .arg(w.as_of.to_string())
        .arg(&w.dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let usage = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    Box::new((status.ok().and_then(|s| s.code()), usage))
}

/// The child's exit code and `/usr/bin/time` figures (user s, sys s, max RSS KiB).
fn cli_usage(out: &Output) -> Option<(Option<i32>, Option<[f64; 3]>)> {
    let (code, usage) = out.downcast_ref::<(Option<i32>, String)>()?;
    let nums: Vec<f64> = usage
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    Some((*code, <[f64; 3]>::try_from(nums.as_slice()).ok()))
}

/// `exit N; max RSS MiB` of the child.
fn cli_note(out: &Output) -> String {
    let Some((code, usage)) = cli_usage(out) else {
        return String::new();
    };
    let code = code.map_or("killed".to_string(), |c| format!("exit {c}"));
    match usage {
        Some([_, _, rss_kb]) => format!("{code}; max RSS {:.0} MiB", rss_kb / 1024.0),
        None => code,
    }
}

/// User + system time of the child (10 ms resolution).
fn cli_cpu(out: &Output) -> Option<Duration> {
    let [user, sys, _] = cli_usage(out)?.1?;
    Some(Duration::from_secs_f64(user + sys))
}

fn inputs(w: &Workload) -> Vec<model::Input<'_>> {
    w.files
        .iter()
        .zip(&w.docs)
        .map(|((file, builtin), doc)| model::Input {
            file: *file,
            doc,
            builtin: *builtin,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Building a workload.

fn workload(zones: usize, seed: u64, root: &std::path::Path) -> Result<Workload, String> {
    let per_site = 10.5;
    let sites = ((zones.saturating_sub(gen_plant::SHARED_ZONES)) as f64 / per_site).round();
    let sites = (sites as u32).max(1);
    let params = gen_plant::Params::new(sites, seed);
    let plant = gen_plant::generate(&params);
    let dir = root.join(format!("zones-{zones}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut sources = SourceMap::new();
    let mut files = vec![(
        sources.add(
            conduit::load::BUILTIN_SERVICES_NAME,
            None,
            conduit::load::BUILTIN_SERVICES.to_string(),
        ),
        true,
    )];
    for f in &plant.files {
        let path = dir.join(&f.name);
        std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((
            sources.add(f.name.clone(), Some(path), f.text.clone()),
            false,
        ));
    }
    let docs: Vec<Document> = files
        .iter()
        .map(|(id, _)| syntax::parse(*id, sources.text(*id)).0)
        .collect();
    let mut w = Workload {
        dir,
        sources,
        files,
        docs,
        model: Model::default(),
        stats: plant.stats,
        as_of: params.as_of,
    };
    let (model, diags) = model::resolve(&inputs(&w));
    if !diags.is_empty() {
        return Err(format!(
            "generated plant of {zones} zones has {} diagnostics, first: {}",
            diags.len(),
            diags.first().map(|d| d.message.as_str()).unwrap_or("")
        ));
    }
    w.model = model;
    Ok(w)
}

// ---------------------------------------------------------------------------
// Measuring.

#[derive(Debug, Clone)]
struct Measure {
    /// Median wall time.
    median: Duration,
    /// Median CPU time of the process (robust to other load on the machine).
    cpu: Duration,
    /// Median time to free the phase's output (not part of the phase's time).
    drop: Duration,
    fastest: Duration,
    /// Heap allocated by the phase above what existed before it (`None`
    /// when the work ran in a child process).
    phase_peak: Option<usize>,
    /// Absolute heap peak during the phase.
    heap_peak: Option<usize>,
    /// What the phase said about its output (last run).
    note: String,
}

fn measure(phase: &Phase, w: &Workload, runs: usize) -> Measure {
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let mut phase_peak = 0;
    let mut heap_peak = 0;
    let mut note = String::new();
    let mut own_heap = true;
    let mut drops = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        HEAP.reset_peak_usage();
        let base = HEAP.current_usage();
        let cpu_start = ProcessTime::try_now().ok();
        let start = Instant::now();
        let out = (phase.run)(black_box(w));
        let elapsed = start.elapsed();
        let cpu_elapsed = cpu_start.and_then(|c| c.try_elapsed().ok());
        note = (phase.note)(&out);
        let child = (phase.child_cpu)(&out);
        let dropping = Instant::now();
        drop(black_box(out));
        drops.push(dropping.elapsed());
        let peak = HEAP.peak_usage();
        phase_peak = phase_peak.max(peak.saturating_sub(base));
        heap_peak = heap_peak.max(peak);
        times.push(elapsed);
        cpu.push(child.or(cpu_elapsed).unwrap_or(elapsed));
        own_heap = child.is_none();
    }
    times.sort();
    cpu.sort();
    drops.sort();
    let median = |v: &[Duration]| v.get(v.len() / 2).copied().unwrap_or_default();
    Measure {
        median: median(&times),
        cpu: median(&cpu),
        drop: median(&drops),
        fastest: times.first().copied().unwrap_or_default(),
        phase_peak: own_heap.then_some(phase_peak),
        heap_peak: own_heap.then_some(heap_peak),
        note,
    }
}

// ---------------------------------------------------------------------------
// Reporting.

struct Row {
    phase: &'static str,
    zones: usize,
    m: Measure,
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn mib_or_dash(bytes: Option<usize>) -> String {
    bytes.map_or_else(|| "-".to_string(), mib)
}

/// `10^k` for `t ~ zones^k` between two sizes: the time factor per 10x zones.
fn per_10x(t1: Duration, z1: usize, t2: Duration, z2: usize) -> Option<f64> {
    let (t1, t2) = (t1.as_secs_f64(), t2.as_secs_f64());
    if t1 <= 0.0 || t2 <= 0.0 || z1 == 0 || z2 <= z1 {
        return None;
    }
    let k = (t2 / t1).ln() / (z2 as f64 / z1 as f64).ln();
    Some(10f64.powf(k))
}

fn print_sizes(loads: &[(usize, gen_plant::Stats, usize)]) {
    println!("| plant | zones | assets | conduits | waivers | files | text MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (target, s, files) in loads {
        println!(
            "| ~{target} zones | {} | {} | {} | {} | {files} | {} |",
            s.zones,
            s.assets,
            s.conduits,
            s.waivers,
            mib(s.bytes)
        );
    }
    println!();
}

fn print_table(rows: &[Row]) {
    println!("| phase | zones | median ms | CPU ms | fastest ms | x per 10x zones | phase heap MiB | heap peak MiB | drop output ms | output |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (i, r) in rows.iter().enumerate() {
        let prev = i
            .checked_sub(1)
            .and_then(|j| rows.get(j))
            .filter(|p| p.phase == r.phase);
        let growth = prev
            .and_then(|p| per_10x(p.m.cpu, p.zones, r.m.cpu, r.zones))
            .map(|g| format!("{g:.1}"))
            .unwrap_or_else(|| "-".to_string());
        println!(
            "| {} | {} | {} | {} | {} | {growth} | {} | {} | {} | {} |",
            r.phase,
            r.zones,
            ms(r.m.median),
            ms(r.m.cpu),
            ms(r.m.fastest),
            mib_or_dash(r.m.phase_peak),
            mib_or_dash(r.m.heap_peak),
            if r.m.phase_peak.is_some() {
                ms(r.m.drop)
            } else {
                "-".to_string()
            },
            r.m.note
        );
    }
}

// ---------------------------------------------------------------------------
// Command line.

struct Options {
    sizes: Vec<usize>,
    runs: Option<usize>,
    seed: u64,
    phase: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![10, 100, 1_000, 10_000],
        runs: None,
        seed: 1,
        phase: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            // `cargo bench` passes `--bench` to harness-less targets.
            "--bench" => {}
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--sizes: {e}"))?;
            }
            "--runs" => o.runs = Some(value()?.parse().map_err(|e| format!("--runs: {e}"))?),
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--phase" => o.phase = Some(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    o.sizes.sort_unstable();
    o.sizes.dedup();
    Ok(o)
}

/// Default runs: more on small plants, fewer on the largest.
fn default_runs(zones: usize) -> usize {
    if zones >= 5_000 {
        5
    } else {
        9
    }
}

fn main() -> std::process::ExitCode {
    let opts = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("phases: {e}");
            eprintln!(
                "usage: phases [--sizes 10,100,1000,10000] [--runs N] [--seed N] [--phase NAME]"
            );
            return std::process::ExitCode::from(2);
        }
    };
    let root = std::env::temp_dir().join(format!("conduit-bench-{}", std::process::id()));
    let phases: Vec<&Phase> = PHASES
        .iter()
        .filter(|p| opts.phase.as_deref().is_none_or(|n| p.name.starts_with(n)))
        .collect();
    let mut sizes = Vec::new();
    let mut rows = Vec::new();
    for &zones in &opts.sizes {
        let w = match workload(zones, opts.seed, &root) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("phases: {e}");
                let _ = std::fs::remove_dir_all(&root);
                return std::process::ExitCode::FAILURE;
            }
        };
        sizes.push((zones, w.stats, w.files.len() - 1));
        let runs = opts.runs.unwrap_or_else(|| default_runs(zones));
        for phase in &phases {
            let m = measure(phase, &w, runs);
            eprintln!(
                "{:>28} {:>6} zones: median {} ms (CPU {} ms), phase heap {} MiB",
                phase.name,
                w.stats.zones,
                ms(m.median),
                ms(m.cpu),
                mib_or_dash(m.phase_peak)
            );
            rows.push(Row {
                phase: phase.name,
                zones: w.stats.zones,
                m,
            });
        }
        let _ = std::fs::remove_dir_all(&w.dir);
    }
    let _ = std::fs::remove_dir_all(&root);
    rows.sort_by_key(|r| (phases.iter().position(|p| p.name == r.phase), r.zones));
    print_sizes(&sizes);
    print_table(&rows);
    std::process::ExitCode::SUCCESS
}
