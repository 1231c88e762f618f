//! Exact and stable output: port lists, far expiry dates and names at the
//! backends' limits compile to files the kernel loads (in a namespace,
//! with the real tools), every golden loads, generated names follow their
//! content, and neither statement order nor the order inside a line
//! changes compile or export output.

use crate::support::{
    build, emit, options, path_str, root_dir, root_or_skip, run, temp_file, tools_ready,
};
use conduit::compile::{self, OutputFile};
use conduit::model::export::export;
use conduit::model::Mode;

const AS_OF: &str = "2026-11-28";

const ZONES: &str = "zone a {\n    purdue 3\n    network 10.1.0.0/24\n    asset h1 10.1.0.5 { role hmi }\n    asset h2 10.1.0.9 { role hmi }\n}\n\n\
zone b {\n    purdue 2\n    network 10.2.0.0/24\n    network 2001:db8:2::/48\n}\n\n";

fn conduit_text(name: &str, flow: &str, allow: &str, extra: &str) -> String {
    format!("conduit {name} {{\n    {flow}\n    allow {allow}\n{extra}}}\n\n")
}

/// Loads policy text, failing on errors.
fn load(text: &str) -> conduit::Loaded {
    let loaded = conduit::load_str("edge.zc", text);
    assert!(!loaded.has_errors(), "{:#?}\n{text}", loaded.diagnostics);
    loaded
}

/// A network namespace that is deleted again when dropped.
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        let name = format!("cdt{}{tag}", std::process::id() % 100_000);
        let _ = run("ip", &["netns", "del", &name]);
        let (ok, out) = run("ip", &["netns", "add", &name]);
        assert!(ok, "ip netns add {name}: {out}");
        Netns(name)
    }

    /// Loads one file with the tool its role names (a real load, not a
    /// syntax check); the error text on failure.
    fn load(&self, role: &str, text: &str, tag: &str) -> Result<(), String> {
        let path = temp_file(&format!("{}-{tag}", self.0), text);
        let tool = match role {
            "nft -f" => vec!["nft", "-f"],
            "iptables-restore" => vec!["iptables-restore"],
            "ip6tables-restore" => vec!["ip6tables-restore"],
            other => return Err(format!("no loader for {other}")),
        };
        let mut args = vec!["netns", "exec", self.0.as_str()];
        args.extend(tool);
        args.push(path_str(&path));
        let (ok, out) = run("ip", &args);
        let _ = std::fs::remove_file(&path);
        if ok {
            Ok(())
        } else {
            Err(out)
        }
    }

    fn load_all(&self, files: &[OutputFile], tag: &str) {
        for (i, f) in files.iter().enumerate() {
            if let Err(out) = self.load(f.role, &f.text, &format!("{tag}-{i}")) {
                panic!("{} refuses {tag}:\n{out}\n--- file ---\n{}", f.role, f.text);
            }
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = run("ip", &["netns", "del", &self.0]);
    }
}

/// Policies at the edges: port lists, expiry dates, long names.
fn corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let ports = [
        "tcp 80, 80",
        "tcp 80-90, 85",
        "tcp 85, 80-90, 91",
        "ssh, udp 1, 5000-5010, 1",
        "tcp 1, 65535",
        "tcp 1-65535",
        "tcp 65535, 1-65534",
        "udp 1-10, 5-20, 15-30, 31",
        "tcp 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33",
        "tcp 22, udp 53, modbus, tcp 22",
        "site-dup",
    ];
    let dup = "service site-dup {\n    tcp 22, 22\n    udp 7-9, 8\n}\n\n";
    for (i, p) in ports.iter().enumerate() {
        out.push((
            format!("ports-{i}"),
            format!(
                "{ZONES}{dup}{}{}",
                conduit_text("x", "a -> b", p, ""),
                conduit_text("y", "a.h1, a.h2 <-> b", p, "")
            ),
        ));
    }
    for date in [
        "2026-11-29",
        "2038-01-19",
        "2038-01-20",
        "2038-12-31",
        "2039-01-01",
        "2039-01-02",
        "2106-02-08",
        "2262-04-11",
        "2262-04-12",
        "2554-07-22",
        "2600-01-01",
        "9999-12-31",
    ] {
        out.push((
            format!("expires-{date}"),
            format!(
                "{ZONES}{}",
                conduit_text(
                    "x",
                    "a.h1 -> b",
                    "tcp 22",
                    &format!("    expires {date}\n    schedule \"mon-fri 06:00-18:00\"\n")
                )
            ),
        ));
    }
    for len in [200, 250, 251, 252, 300, 1000] {
        let long = |c: char| format!("z{}", c.to_string().repeat(len - 1));
        let (n1, n2) = (long('a'), format!("{}b", &long('a')[..len - 1]));
        out.push((
            format!("name-{len}"),
            format!(
                "zone {n1} {{\n    purdue 3\n    network 10.1.0.0/24\n}}\n\nzone {n2} {{\n    purdue 2\n    network 10.2.0.0/24\n    network 2001:db8:2::/48\n}}\n\nzone c {{\n    purdue 2\n    network 2001:db8:3::/48\n}}\n\n{}{}",
                conduit_text("x", &format!("{n1} -> {n2}"), "tcp 22", ""),
                conduit_text("y", &format!("{n2} <-> c"), "tcp 22", ""),
            ),
        ));
    }
    out
}

/// The nft set names of a file.
fn nft_set_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("set ").or_else(|| l.strip_prefix("map "))
        })
        .map(|l| l.trim_end_matches(" {").to_string())
        .collect()
}

#[test]
fn edge_cases_compile_exactly() {
    for (tag, text) in corpus() {
        let loaded = load(&text);
        let plan = build(&loaded.model, &options(Mode::Enforce, AS_OF));
        assert!(!plan.rules.is_empty(), "{tag}: no rule");
        for backend in ["nftables", "iptables"] {
            let b = compile::backend(backend).unwrap();
            match compile::generate(b, &plan) {
                Ok(files) => {
                    for f in &files {
                        for name in nft_set_names(&f.text) {
                            assert!(name.len() <= 255, "{tag}: {name}");
                        }
                        // No wrapped nanoseconds: every `meta time` is a
                        // second the kernel clock can show.
                        for n in f.text.split("meta time < ").skip(1) {
                            let secs: i64 = n.split(' ').next().unwrap().parse().unwrap();
                            assert!(secs <= i64::MAX / 1_000_000_000, "{tag}: {secs}");
                        }
                    }
                }
                Err(errors) => {
                    let far = tag.starts_with("expires-") && tag.as_str() > "expires-2039-01-01";
                    assert!(
                        backend == "iptables"
                            && far
                            && errors
                                .iter()
                                .all(|e| e.code == "E0510" && e.message.contains("2039-01-01")),
                        "{tag} {backend}: {errors:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn nftables_drops_the_time_condition_only_past_the_kernel_clock() {
    let expiry = |date: &str| {
        let text = format!(
            "{ZONES}{}",
            conduit_text("x", "a -> b", "tcp 22", &format!("    expires {date}\n"))
        );
        let plan = build(&load(&text).model, &options(Mode::Enforce, AS_OF));
        emit("nftables", &plan).remove(0).text
    };
    assert!(expiry("2262-04-11").contains("meta time < 9223286400 "));
    for far in ["2262-04-12", "2600-01-01", "9999-12-31"] {
        let text = expiry(far);
        assert!(!text.contains("meta time"), "{far}");
        // The rule is an element of the set without conditions.
        assert!(text.contains(" . 22 comment \"conduit x"), "{text}");
        assert!(text.contains("\" : accept }"), "{text}");
    }
}

#[test]
fn long_zone_names_are_shortened_stably_and_distinctly() {
    let long = "z".to_string() + &"q".repeat(299);
    let text = |other: &str| {
        format!(
            "zone {long}a {{\n    purdue 3\n    network 10.1.0.0/24\n}}\n\nzone {long}b {{\n    purdue 2\n    network 10.2.0.0/24\n}}\n\n{other}{}",
            conduit_text("x", &format!("{long}a -> {long}b"), "tcp 22", "")
        ) + &conduit_text("xx", &format!("{long}a -> {long}b"), "tcp 22", "")
    };
    let names = |t: &str| {
        let plan = build(&load(t).model, &options(Mode::Enforce, AS_OF));
        nft_set_names(&emit("nftables", &plan)[0].text)
    };
    // `xx` repeats `x`, so it is walked and matches the zone sets by name.
    let first: Vec<String> = names(&text(""))
        .into_iter()
        .filter(|n| n.starts_with("z"))
        .collect();
    assert_eq!(first.len(), 2);
    assert_ne!(first[0], first[1]);
    assert!(first.iter().all(|n| n.len() == 255 && n.ends_with("_v4")));
    let other = "zone c {\n    purdue 2\n    network 10.3.0.0/24\n}\n\n".to_string()
        + &conduit_text("y", &format!("c -> {long}b"), "udp 53", "");
    let second = names(&text(&other));
    for n in &first {
        assert!(second.contains(n), "{n} renamed");
    }
}

/// Names of nft address and port lists and of conduit sets in a file.
fn list_names(text: &str) -> Vec<String> {
    nft_set_names(text)
        .into_iter()
        .filter(|n| n.starts_with("l_") || n.starts_with("p_") || n.starts_with("c_"))
        .collect()
}

#[test]
fn generated_names_do_not_change_with_an_unrelated_conduit() {
    let base = format!(
        "{ZONES}{}{}",
        conduit_text("m", "a.h1, a.h2 -> b", "tcp 22, 80-81, 443", ""),
        conduit_text("n", "b -> a.h2, a.h1", "udp 1, 5000-5010", ""),
    ) + &conduit_text("n2", "b -> a.h2, a.h1", "udp 1, 5000-5010", "");
    // Sorted first, with lists of its own (`aaa2` repeats `aaa`, so it is
    // walked and names its lists); `aaa` joins the existing set.
    let more = base.clone()
        + "zone c {\n    purdue 2\n    network 10.3.0.0/24\n    asset s1 10.3.0.7 { role server }\n    asset s2 10.3.0.70 { role server }\n}\n\n"
        + &conduit_text("aaa", "c.s1, c.s2 -> b", "tcp 7, 9", "")
        + &conduit_text("aaa2", "c.s1, c.s2 -> b", "tcp 7, 9", "");
    let names = |t: &str| {
        let plan = build(&load(t).model, &options(Mode::Enforce, AS_OF));
        list_names(&emit("nftables", &plan)[0].text)
    };
    let (before, after) = (names(&base), names(&more));
    // A TCP map and a UDP map, a list and a port list; `aaa` joins the
    // TCP map and `aaa2` adds lists of its own.
    assert_eq!(before.len(), 4, "{before:?}");
    assert_eq!(after.len(), 6, "{after:?}");
    for n in &before {
        assert!(after.contains(n), "{n} renamed by an unrelated conduit");
    }
}

#[test]
fn iptables_set_chains_do_not_change_with_an_unrelated_conduit() {
    // Both sides of several elements: set and pair chains.
    let base = format!(
        "{ZONES}zone c {{\n    purdue 2\n    network 10.3.0.0/24\n}}\n\n{}{}",
        conduit_text("m", "a.h1, a.h2 -> b, c", "tcp 22", ""),
        conduit_text("n", "b, c -> a.h2, a.h1", "udp 53", "")
    );
    let more = base.clone()
        + "zone d {\n    purdue 2\n    network 10.4.0.0/24\n    asset s1 10.4.0.7 { role server }\n    asset s2 10.4.0.70 { role server }\n}\n\n"
        + &conduit_text("aaa", "d.s1, d.s2 -> b, c", "tcp 7", "");
    let chains = |t: &str| -> Vec<String> {
        let plan = build(&load(t).model, &options(Mode::Enforce, AS_OF));
        emit("iptables", &plan)[0]
            .text
            .lines()
            .filter_map(|l| l.strip_prefix(':'))
            .filter(|l| l.starts_with("cdt-s") || l.starts_with("cdt-d"))
            .map(|l| l.split(' ').next().unwrap_or("").to_string())
            .collect()
    };
    let (before, after) = (chains(&base), chains(&more));
    assert!(!before.is_empty(), "no set chain to compare");
    assert!(after.len() > before.len(), "{after:?}");
    for n in &before {
        assert!(
            n.len() <= 28,
            "{n} is longer than an iptables chain name may be"
        );
        assert!(after.contains(n), "{n} renamed by an unrelated conduit");
    }
}

/// Top-level statements of a policy text (each starts in column 0).
fn statements(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let starts = ["zone ", "service ", "conduit ", "waive ", "import "]
            .iter()
            .any(|k| line.starts_with(k));
        match out.last_mut() {
            Some(last) if !starts => {
                last.push_str(line);
                last.push('\n');
            }
            _ => out.push(format!("{line}\n")),
        }
    }
    out
}

/// Every compiled file and the JSON export of a set of policy files.
fn outputs(paths: &[std::path::PathBuf]) -> Vec<String> {
    let loaded = conduit::load_policy(paths);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let mut out = Vec::new();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&loaded.model, &options(mode, AS_OF));
        for backend in ["nftables", "iptables"] {
            out.extend(emit(backend, &plan).into_iter().map(|f| f.text));
        }
    }
    out.push(serde_json::to_string_pretty(&export(&loaded.model, false)).unwrap());
    out
}

/// Reverses the order of the lines (and nested blocks) inside a block and
/// of the services of each `allow` list.
fn reorder_inside(stmt: &str) -> String {
    let lines: Vec<&str> = stmt.trim_end().lines().collect();
    let (Some(first), Some(last)) = (lines.first().copied(), lines.last().copied()) else {
        return stmt.to_string();
    };
    if lines.len() < 3 || !first.ends_with('{') || last != "}" {
        return stmt.to_string();
    }
    // Items: one line, or a nested block from its `{` line to its `}`.
    let mut items: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for l in &lines[1..lines.len() - 1] {
        let text = match l.trim_start().strip_prefix("allow ") {
            Some(list) if depth == 0 && !list.contains(['#', '"']) => {
                let mut parts: Vec<&str> = list.split(", ").collect();
                parts.reverse();
                format!("    allow {}", regroup(&parts).join(", "))
            }
            _ => l.to_string(),
        };
        if depth == 0 {
            items.push(text);
        } else if let Some(last) = items.last_mut() {
            last.push('\n');
            last.push_str(&text);
        }
        depth += l.matches('{').count();
        depth = depth.saturating_sub(l.matches('}').count());
    }
    // Comments belong to the line after them: keep such files as they are.
    if items.iter().any(|i| i.trim_start().starts_with('#')) {
        return stmt.to_string();
    }
    items.reverse();
    format!("{first}\n{}\n{last}\n", items.join("\n"))
}

/// Items of a reversed `allow` list, regrouped so that each protocol word
/// is followed by its ports again (`80, tcp 22` → `tcp 22, 80`).
fn regroup(reversed: &[&str]) -> Vec<String> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for item in reversed {
        pending.push((*item).to_string());
        if item.contains(' ') || !item.chars().all(|c| c.is_ascii_digit() || c == '-') {
            pending.reverse();
            groups.push(std::mem::take(&mut pending));
        }
    }
    groups.extend(pending.into_iter().map(|p| vec![p]));
    groups.into_iter().map(|g| g.join(", ")).collect()
}

#[test]
fn inline_service_order_does_not_change_the_output() {
    let text = |allow: &str| {
        format!(
            "{ZONES}{}",
            conduit_text("x", "a -> b", allow, "    log true\n")
        )
    };
    let compile = |t: &str| {
        let plan = build(&load(t).model, &options(Mode::Enforce, AS_OF));
        emit("nftables", &plan).remove(0).text
    };
    let one = compile(&text("tcp 22, udp 53, modbus, tcp 8080, 80"));
    let two = compile(&text("tcp 80, 8080, modbus, udp 53, tcp 22"));
    assert_eq!(one, two);
}

#[test]
fn statement_and_line_order_do_not_change_compile_or_export_output() {
    let src = root_dir().join("examples/riverside/plant.zc");
    let text = std::fs::read_to_string(&src).unwrap();
    let stmts = statements(&text);
    let expected = outputs(&[src]);
    let dir = std::env::temp_dir().join(format!("conduit-edge-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let local = root_dir().join("examples/riverside/services-local.zc");
    std::fs::write(
        dir.join("services-local.zc"),
        std::fs::read_to_string(local).unwrap(),
    )
    .unwrap();
    let mut seed: u64 = 7;
    for round in 0..6 {
        let mut order: Vec<usize> = (0..stmts.len()).collect();
        for k in (1..order.len()).rev() {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(k, (seed >> 33) as usize % (k + 1));
        }
        let (mut a, mut b) = (String::new(), String::new());
        for (n, i) in order.iter().enumerate() {
            let s = if round % 2 == 1 {
                reorder_inside(&stmts[*i])
            } else {
                stmts[*i].clone()
            };
            if n % 3 == round % 3 { &mut b } else { &mut a }.push_str(&s);
        }
        let (pa, pb) = (dir.join("a.zc"), dir.join("b.zc"));
        std::fs::write(&pa, &a).unwrap();
        std::fs::write(&pb, &b).unwrap();
        let got = outputs(&[pa, pb]);
        for (g, e) in got.iter().zip(&expected) {
            let first = g.lines().zip(e.lines()).position(|(x, y)| x != y);
            assert!(
                g == e,
                "round {round} differs at line {first:?}: {:?} vs {:?}\n--- a ---\n{a}\n--- b ---\n{b}",
                first.and_then(|i| g.lines().nth(i)),
                first.and_then(|i| e.lines().nth(i)),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn edge_cases_load_in_a_namespace() {
    if !root_or_skip("edge_cases_load_in_a_namespace") {
        return;
    }
    let ns = Netns::new("edge");
    for (tag, text) in corpus() {
        let loaded = load(&text);
        for mode in [Mode::Enforce, Mode::Monitor] {
            let plan = build(&loaded.model, &options(mode, AS_OF));
            for backend in ["nftables", "iptables"] {
                let b = compile::backend(backend).unwrap();
                if let Ok(files) = compile::generate(b, &plan) {
                    ns.load_all(&files, &format!("{tag}-{backend}"));
                }
            }
        }
    }
}

/// The loader of a golden by its content, or `None` for a format the
/// kernel does not load (vendor backends).
fn loader_of(path: &std::path::Path, text: &str) -> Option<&'static str> {
    let name = path.to_string_lossy();
    if text.starts_with("#!/usr/sbin/nft") {
        Some("nft -f")
    } else if text.contains("\n*filter\n") && name.contains("v6") {
        Some("ip6tables-restore")
    } else if text.contains("\n*filter\n") {
        Some("iptables-restore")
    } else {
        None
    }
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_golden_loads_in_a_namespace() {
    if !root_or_skip("every_golden_loads_in_a_namespace") {
        return;
    }
    let mut files = Vec::new();
    files_under(&root_dir().join("tests/backends/golden"), &mut files);
    files.sort();
    let ns = Netns::new("gold");
    let mut loaded = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        if let Some(role) = loader_of(path, &text) {
            if let Err(out) = ns.load(role, &text, &format!("golden-{loaded}")) {
                panic!("{role} refuses golden {}:\n{out}", path.display());
            }
            loaded += 1;
        }
    }
    assert!(loaded >= 10, "only {loaded} goldens found");
    assert!(tools_ready());
}
