//! Tests of the language front end: diagnostics (UI goldens), formatting,
//! the YAML form, robustness against corrupted input, and the CLI contract.
//!
//! Goldens live next to their input (`tests/ui/NAME.zc` → `NAME.out`);
//! `UPDATE_GOLDEN=1 cargo test --test language` rewrites them. A missing
//! golden fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use conduit::diagnostics::render::{self, TextStyle};
use conduit::diagnostics::{codes, Severity};
use conduit::model::export::export;
use conduit::{load_policy, Loaded};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "lang/endpoints.rs"]
mod endpoints;
#[path = "safety/mod.rs"]
mod safety;
#[path = "common/scratch.rs"]
mod scratch;

fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing golden {} (run with UPDATE_GOLDEN=1)",
            path.display()
        )
    });
    if expected != actual {
        let tmp = path.with_extension("actual");
        std::fs::write(&tmp, actual).unwrap();
        panic!(
            "{} differs from the golden; actual written to {} (diff them; UPDATE_GOLDEN=1 accepts)",
            path.display(),
            tmp.display()
        );
    }
}

fn render_all(loaded: &Loaded) -> String {
    let style = TextStyle {
        color: false,
        width: 100,
    };
    render::text_all(&loaded.sources, &loaded.diagnostics, style)
}

/// Every UI case: a file, or a directory whose `main.zc` is the entry.
fn ui_cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir("tests/ui")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            if p.is_dir() {
                Some((name, p.join("main.zc")))
            } else if matches!(p.extension()?.to_str()?, "zc" | "yaml") {
                Some((name, p))
            } else {
                None
            }
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn ui_diagnostics_match_goldens() {
    for (name, path) in ui_cases() {
        let loaded = load_policy(std::slice::from_ref(&path));
        assert!(
            !loaded.diagnostics.is_empty(),
            "{name}: expected diagnostics"
        );
        // A case named after a code must raise that code.
        let code = name.split('-').next().unwrap();
        if codes::summary(code).is_some() {
            assert!(
                loaded.diagnostics.iter().any(|d| d.code == code),
                "{name}: expected {code}, got {:?}",
                loaded
                    .diagnostics
                    .iter()
                    .map(|d| &d.code)
                    .collect::<Vec<_>>()
            );
        }
        // Every diagnostic has a span and a hint.
        for d in &loaded.diagnostics {
            assert!(d.primary.is_some(), "{name}: {} has no span", d.code);
            assert!(d.help.is_some(), "{name}: {} has no hint", d.code);
        }
        let golden_path = if path.ends_with("main.zc") {
            path.parent().unwrap().join("expected.out")
        } else {
            path.with_extension("out")
        };
        golden(&golden_path, &render_all(&loaded));
    }
}

#[test]
fn every_language_code_has_a_ui_case() {
    let cases: Vec<String> = ui_cases().into_iter().map(|(n, _)| n).collect();
    for (code, _) in codes::CODES {
        // Target profiles (E05xx) and project configuration (E06xx) are
        // tested with their own phases; W0001, W0003 and W0005-W0007 (from
        // the rule plan) and W0014 (a backend's UTC conversion) with the backends; E0213 with the rule engine;
        // E0405 (a command-line error), E0406 (FIFOs) and E0407 (the size
        // limit) in tests/safety; O0001, I0001 and I0002 come from flow
        // logs and inventory files, not policies (tests/observe).
        if code.starts_with("E05")
            || code.starts_with('O')
            || code.starts_with('I')
            || code.starts_with("E06")
            || matches!(
                *code,
                "W0001" | "W0003" | "W0005" | "W0006" | "W0007" | "W0014"
            )
            || *code == "E0213"
            || matches!(*code, "E0405" | "E0406" | "E0407")
        {
            continue;
        }
        assert!(
            cases.iter().any(|c| c.starts_with(code)),
            "no UI case under tests/ui for {code}"
        );
    }
}

#[test]
fn riverside_checks_clean_in_both_forms() {
    let zc = load_policy(&[PathBuf::from("examples/riverside/plant.zc")]);
    assert!(zc.diagnostics.is_empty(), "{}", render_all(&zc));
    let yaml = load_policy(&[PathBuf::from("examples/riverside-yaml/plant.yaml")]);
    assert!(yaml.diagnostics.is_empty(), "{}", render_all(&yaml));
    assert_eq!(export(&zc.model, true), export(&yaml.model, true));
    let m = &zc.model;
    assert_eq!(m.zones.len(), 7);
    assert_eq!(m.conduits.len(), 7);
    let line1 = m.zone(m.zone_by_name("line1").unwrap());
    assert_eq!(line1.sl_t().0, [3, 3, 3, 2, 3, 2, 3]);
    let sis = m.zone(m.zone_by_name("sis").unwrap());
    assert_eq!(sis.class, conduit::model::ZoneClass::Safety);
    assert_eq!(sis.bpcs.as_ref().map(|b| b.value), m.zone_by_name("line1"));
    let idmz = m.zone(m.zone_by_name("idmz").unwrap());
    assert_eq!(idmz.class, conduit::model::ZoneClass::Dmz);
    let ts = m.conduit(m.conduit_by_name("time-sync").unwrap());
    assert_eq!(ts.direction, conduit::model::Direction::Both);
    assert_eq!(ts.mode, conduit::model::Mode::Monitor);
    assert_eq!(ts.flows().len(), 4);
    let vendor = m.conduit(m.conduit_by_name("vendor-support").unwrap());
    assert!(vendor.is_vendor());
    assert_eq!(
        vendor.expires.as_ref().unwrap().value.to_string(),
        "2027-03-31"
    );
    assert_eq!(vendor.schedule.as_ref().unwrap().value.days.len(), 5);
    // `internet` means everything that is not inside: most specific zone wins.
    assert_eq!(
        m.zone_of_addr("10.40.1.10".parse().unwrap()),
        m.zone_by_name("line1")
    );
    assert_eq!(
        m.zone_of_addr("192.0.2.1".parse().unwrap()),
        m.zone_by_name("internet")
    );
    // The imported file's service is in scope.
    assert!(m.service_by_name("mes-api").is_some());
}

/// Groups and a multi-homed asset, in `.zc` and YAML: one model.
#[test]
fn segments_example_checks_clean_in_both_forms() {
    let zc = load_policy(&[PathBuf::from("examples/segments/plant.zc")]);
    assert!(zc.diagnostics.is_empty(), "{}", render_all(&zc));
    let yaml = load_policy(&[PathBuf::from("examples/segments-yaml/plant.yaml")]);
    assert!(yaml.diagnostics.is_empty(), "{}", render_all(&yaml));
    assert_eq!(export(&zc.model, true), export(&yaml.model, true));
    let m = &zc.model;
    let names = |eps: &[conduit::model::Endpoint]| -> Vec<String> {
        eps.iter().map(|e| m.endpoint_name(e)).collect()
    };
    let history = m.conduit(m.conduit_by_name("history-read").unwrap());
    assert_eq!(
        names(&history.initiators),
        ["scada-cc.hmi-1", "scada-cc.hmi-2", "scada-cc.ews"]
    );
    assert_eq!(names(&history.responders), ["scada-ops.historian"]);
    assert_eq!(m.hosts.len(), 1);
    let legs: Vec<String> = m.hosts[0]
        .legs
        .iter()
        .map(|l| format!("{} {}", m.zone(l.zone).name, m.asset(*l).address.value))
        .collect();
    assert_eq!(legs, ["scada-cc 172.16.30.99", "scada-ops 172.16.20.10"]);
    // Either address places a flow with its leg, and so with the host.
    for addr in ["172.16.20.10", "172.16.30.99"] {
        let zone = m.zone_of_addr(addr.parse().unwrap()).unwrap();
        let leg = m.hosts[0].legs.iter().find(|l| l.zone == zone).unwrap();
        assert_eq!(m.host_of(*leg).unwrap().name, "historian");
    }
}

#[test]
fn declaration_order_does_not_change_the_model() {
    let text = std::fs::read_to_string("examples/riverside/plant.zc").unwrap();
    let dir = tempdir("order");
    std::fs::copy(
        "examples/riverside/services-local.zc",
        dir.join("services-local.zc"),
    )
    .unwrap();
    // Reverse the order of top-level statements (blocks start at column 0).
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('}') || blocks.is_empty() {
            blocks.push(String::new());
        }
        let last = blocks.last_mut().unwrap();
        last.push_str(line);
        last.push('\n');
    }
    blocks.reverse();
    std::fs::write(dir.join("plant.zc"), blocks.concat()).unwrap();
    let a = load_policy(&[PathBuf::from("examples/riverside/plant.zc")]);
    let b = load_policy(&[dir.join("plant.zc")]);
    assert!(b.diagnostics.is_empty(), "{}", render_all(&b));
    assert_eq!(export(&a.model, true), export(&b.model, true));
    // Groups and a multi-homed host: the same model in reverse order too.
    let text = std::fs::read_to_string("examples/segments/plant.zc").unwrap();
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('}') || blocks.is_empty() {
            blocks.push(String::new());
        }
        let last = blocks.last_mut().unwrap();
        last.push_str(line);
        last.push('\n');
    }
    blocks.reverse();
    std::fs::write(dir.join("segments.zc"), blocks.concat()).unwrap();
    let a = load_policy(&[PathBuf::from("examples/segments/plant.zc")]);
    let b = load_policy(&[dir.join("segments.zc")]);
    assert!(b.diagnostics.is_empty(), "{}", render_all(&b));
    assert_eq!(export(&a.model, true), export(&b.model, true));
}

fn tempdir(name: &str) -> scratch::Scratch {
    scratch::dir(&format!("conduit-test-{name}-"))
}

/// fmt is idempotent and never changes meaning, on every example and UI case
/// that parses.
#[test]
fn fmt_round_trips() {
    let mut files: Vec<PathBuf> = vec![
        "examples/riverside/plant.zc".into(),
        "examples/riverside/services-local.zc".into(),
        "examples/segments/plant.zc".into(),
        "examples/endpoints/plant.zc".into(),
        "policies/services.zc".into(),
    ];
    files.extend(
        ui_cases()
            .into_iter()
            .map(|(_, p)| p)
            .filter(|p| p.extension().is_some_and(|e| e == "zc")),
    );
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let (doc, diags) = conduit::syntax::parse(conduit::source::FileId(0), &text);
        if diags.iter().any(|d| d.severity == Severity::Error) {
            continue;
        }
        let once = conduit::syntax::format::format(&doc);
        let (doc2, diags2) = conduit::syntax::parse(conduit::source::FileId(0), &once);
        assert!(
            diags2.is_empty(),
            "{}: formatted text does not parse",
            path.display()
        );
        let twice = conduit::syntax::format::format(&doc2);
        assert_eq!(once, twice, "{}: fmt is not idempotent", path.display());
        let a = conduit::load::load_str("a.zc", &text);
        let b = conduit::load::load_str("a.zc", &once);
        if !a.has_errors() {
            assert_eq!(
                export(&a.model, true),
                export(&b.model, true),
                "{}: fmt changed meaning",
                path.display()
            );
        }
        assert_eq!(
            a.diagnostics.len(),
            b.diagnostics.len(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn fmt_layout() {
    let src = "# head\nzone a {purdue 3;network 10.0.0.0/24 # n\n\n\n  asset x 10.0.0.1 {role plc}\n sl { iac 1  uc 2 si 3 dc 0 rdf 1 tre 1 ra 1 }}\nconduit c { a.x->b ; allow tcp 1,2 ,  https }\n";
    let (doc, diags) = conduit::syntax::parse(conduit::source::FileId(0), src);
    assert!(diags.is_empty(), "{diags:?}");
    let out = conduit::syntax::format::format(&doc);
    assert_eq!(
        out,
        "# head\nzone a {\n    purdue 3\n    network 10.0.0.0/24  # n\n\n    asset x 10.0.0.1 { role plc }\n    sl { iac 1 uc 2 si 3 dc 0 rdf 1 tre 1 ra 1 }\n}\n\nconduit c {\n    a.x -> b\n    allow tcp 1, 2, https\n}\n"
    );
}

/// A tiny deterministic generator for corrupted inputs.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn must_not_panic(name: &str, text: &str) {
    let loaded = conduit::load::load_str(name, text);
    // Rendering must not panic either, on whatever spans came out.
    let first: Vec<_> = loaded.diagnostics.iter().take(20).cloned().collect();
    let _ = render::text_all(&loaded.sources, &first, TextStyle::default());
    for d in &loaded.diagnostics {
        let _ = render::json(&loaded.sources, d);
    }
}

#[test]
fn truncated_and_mutated_files_never_panic() {
    let text = std::fs::read_to_string("examples/riverside/plant.zc").unwrap();
    for cut in (0..text.len()).step_by(7) {
        if text.is_char_boundary(cut) {
            must_not_panic("t.zc", &text[..cut]);
        }
    }
    let mut rng = Lcg(7);
    let bytes = text.as_bytes();
    for _ in 0..300 {
        let mut b = bytes.to_vec();
        for _ in 0..4 {
            let i = (rng.next() as usize) % b.len();
            let alphabet = b"{}\";,->#.\n\0 az9";
            b[i] = alphabet[(rng.next() as usize) % alphabet.len()];
        }
        must_not_panic("m.zc", &String::from_utf8_lossy(&b));
        must_not_panic("m.yaml", &String::from_utf8_lossy(&b));
    }
}

#[test]
fn hostile_inputs_never_panic_or_hang() {
    let mut rng = Lcg(42);
    let random: String = (0..200_000)
        .map(|_| char::from_u32((rng.next() % 0x800) as u32).unwrap_or('x'))
        .collect();
    must_not_panic("random.zc", &random);
    must_not_panic("random.yaml", &random);
    let nonsense: String = (0..10 * 1024 * 1024)
        .map(|_| b"ab {}\n\";#->,."[(rng.next() % 13) as usize] as char)
        .collect();
    must_not_panic("nonsense.zc", &nonsense);
    let words: String = "zone x y z\n".repeat(1_000_000);
    must_not_panic("words.zc", &words);
    must_not_panic("open.zc", &"zone a {".repeat(100_000));
    must_not_panic(
        "nest.zc",
        &format!("zone a {}{}", "{".repeat(1_000_000), "}".repeat(1_000_000)),
    );
    must_not_panic(
        "yaml-nest.yaml",
        &format!("zones: {}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    must_not_panic(
        "long.zc",
        &format!("zone a {{ owner \"{}\" }}", "x".repeat(1_000_000)),
    );
    must_not_panic("nul.zc", "zone a {\0 network 10.0.0.0/8 }");
}

#[test]
fn invalid_utf8_file_is_a_diagnostic() {
    let loaded = load_policy(&[PathBuf::from("tests/ui/E0110-invalid-utf8.zc")]);
    assert_eq!(loaded.diagnostics.len(), 1);
    assert_eq!(loaded.diagnostics[0].code, "E0110");
}

fn conduit_cmd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes_and_json() {
    // A plant that every rule accepts checks clean; riverside has findings.
    let (code, out, _) = conduit_cmd(&["check", "tests/rules/common/base.zc"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = conduit_cmd(&["check", "examples/riverside/plant.zc"]);
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = conduit_cmd(&["check", "tests/ui/E0201-unknown-zone.zc"]);
    assert_eq!(code, 1);
    let (code, _, _) = conduit_cmd(&["check", "no/such/file.zc"]);
    assert_eq!(code, 2);
    let (code, _, _) = conduit_cmd(&["check", "--bogus-flag", "x.zc"]);
    assert_eq!(code, 2);
    let (code, out, _) = conduit_cmd(&[
        "check",
        "--format",
        "json",
        "tests/ui/E0205-overlapping-networks.zc",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0205");
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["location"]["column"], 22);
    assert!(d["help"].is_string());
    let (code, out, _) =
        conduit_cmd(&["export", "examples/riverside/plant.zc", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
    let (code, out, _) = conduit_cmd(&[
        "export",
        "examples/riverside-yaml/plant.yaml",
        "--format",
        "yaml",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("name: filler-plc"));
}

#[test]
fn cli_fmt_check_and_write() {
    let dir = tempdir("fmt");
    let file = dir.join("p.zc");
    std::fs::write(&file, "zone a {network 10.0.0.0/24}\n").unwrap();
    let f = file.to_str().unwrap();
    assert_eq!(conduit_cmd(&["fmt", "--check", f]).0, 1);
    let (code, out, _) = conduit_cmd(&["fmt", f]);
    assert_eq!(
        (code, out.as_str()),
        (0, "zone a { network 10.0.0.0/24 }\n")
    );
    assert_eq!(conduit_cmd(&["fmt", "--write", f]).0, 0);
    assert_eq!(conduit_cmd(&["fmt", "--check", f]).0, 0);
    std::fs::write(&file, "zone a {\n").unwrap();
    assert_eq!(conduit_cmd(&["fmt", f]).0, 1);
}

/// The language reference lists every built-in service and every code.
#[test]
fn language_reference_is_complete() {
    let doc = std::fs::read_to_string("docs/language.md").unwrap();
    let catalog = conduit::load::load_str("empty.zc", "");
    for s in catalog.model.services.iter().filter(|s| s.builtin) {
        assert!(
            doc.contains(&format!("| `{}` |", s.name)),
            "docs/language.md lacks service {}",
            s.name
        );
    }
    for (code, _) in codes::CODES {
        let listed = doc.contains(&format!("| {code} |"))
            || (code.starts_with("E05") && doc.contains("| E0501–E0504 |"));
        assert!(listed, "docs/language.md lacks code {code}");
    }
}

/// A schedule's time zone reads the same from `.zc` and YAML, survives
/// `fmt`, reaches the export, and an unknown zone is E0321 in YAML too.
#[test]
fn zoned_schedules_in_both_forms_fmt_and_export() {
    let zc = "zone ops { network 10.25.0.0/24 }\nzone line1 { network 10.40.1.0/24 }\n\
              conduit shift {\n    ops -> line1\n    allow s7comm\n    schedule \"mon-fri 06:00-18:00 Europe/Berlin\"\n}\n";
    let yaml = "zones:\n  ops: { networks: [10.25.0.0/24] }\n  line1: { networks: [10.40.1.0/24] }\n\
                conduits:\n  shift:\n    from: ops\n    to: line1\n    allow: [s7comm]\n    schedule: mon-fri 06:00-18:00 Europe/Berlin\n";
    let a = conduit::load::load_str("a.zc", zc);
    let b = conduit::load::load_str("a.yaml", yaml);
    assert!(
        !a.has_errors() && !b.has_errors(),
        "{:?} {:?}",
        a.diagnostics,
        b.diagnostics
    );
    assert_eq!(export(&a.model, false), export(&b.model, false));
    let c = a.model.conduit(a.model.conduit_by_name("shift").unwrap());
    assert_eq!(
        c.schedule.as_ref().unwrap().value.zone.as_deref(),
        Some("Europe/Berlin")
    );
    let json = serde_json::to_string(&export(&a.model, false)).unwrap();
    assert!(json.contains("mon-fri 06:00-18:00 Europe/Berlin"), "{json}");
    let (doc, _) = conduit::syntax::parse(conduit::source::FileId(0), zc);
    let formatted = conduit::syntax::format::format(&doc);
    assert!(formatted.contains("schedule \"mon-fri 06:00-18:00 Europe/Berlin\""));
    let again = conduit::load::load_str("a.zc", &formatted);
    assert_eq!(export(&a.model, false), export(&again.model, false));
    let bad = conduit::load::load_str("a.yaml", &yaml.replace("Europe/Berlin", "Europe/Berln"));
    assert!(bad
        .diagnostics
        .iter()
        .any(|d| d.code == "E0321" && d.primary.is_some()));
}

/// `conduit explain SERVICE` shows a built-in service: a bundle with its
/// members and combined facts, a plain one with its lines.
#[test]
fn explain_shows_builtin_services_and_bundles() {
    let (code, out, _) = conduit_cmd(&["explain", "ad-client"]);
    assert_eq!(code, 0);
    assert!(out.contains("bundle of: dns, kerberos, kpasswd"), "{out}");
    assert!(
        out.contains("tcp 49152-65535") && out.contains("authenticated: no"),
        "{out}"
    );
    assert!(
        out.contains("Service overview and network port requirements"),
        "{out}"
    );
    let (code, out, _) = conduit_cmd(&["explain", "icmpv6-echo"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("matches: icmpv6 128") && !out.contains("bundle"),
        "{out}"
    );
    let (code, _, err) = conduit_cmd(&["explain", "no-such-service"]);
    assert_eq!(code, 2);
    assert!(err.contains("neither a rule"), "{err}");
}
