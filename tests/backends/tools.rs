//! The real tools accept what we emit: `nft -c -f`, `iptables-restore
//! --test`, `ip6tables-restore --test`, also when policy strings are
//! hostile.

use crate::support::{build, emit, options, path_str, riverside, root_or_skip, run, temp_file};
use conduit::compile::OutputFile;
use conduit::model::{Mode, Model};

/// Checks every file with the tool that loads it.
pub fn tool_accepts(files: &[OutputFile], tag: &str) {
    for (i, f) in files.iter().enumerate() {
        let path = temp_file(&format!("{tag}-{i}{}", f.suffix), &f.text);
        let p = path_str(&path);
        let (ok, out) = match f.role {
            "nft -f" => run("nft", &["-c", "-f", p]),
            "iptables-restore" => run("iptables-restore", &["--test", p]),
            "ip6tables-restore" => run("ip6tables-restore", &["--test", p]),
            other => panic!("no checker for {other}"),
        };
        assert!(
            ok,
            "{} rejects {tag}:\n{out}\n--- file ---\n{}",
            f.role, f.text
        );
    }
}

#[test]
fn riverside_passes_the_real_tools() {
    if !root_or_skip("riverside_passes_the_real_tools") {
        return;
    }
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        for as_of in ["2026-11-28", "2027-06-01"] {
            let plan = build(&model, &options(mode, as_of));
            for backend in ["nftables", "iptables"] {
                tool_accepts(
                    &emit(backend, &plan),
                    &format!("riverside-{backend}-{as_of}"),
                );
            }
        }
    }
}

/// Groups and a multi-homed host (examples/segments) load in the real tools.
#[test]
fn segments_pass_the_real_tools() {
    if !root_or_skip("segments_pass_the_real_tools") {
        return;
    }
    let loaded =
        conduit::load_policy(&[crate::support::root_dir().join("examples/segments/plant.zc")]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&loaded.model, &options(mode, "2026-11-28"));
        for backend in ["nftables", "iptables"] {
            tool_accepts(&emit(backend, &plan), &format!("segments-{backend}"));
        }
    }
}

pub const HOSTILE: &[&str] = &[
    "quote \" inside",
    "it's; drop; }",
    "new\nline\r\n-A FORWARD -j ACCEPT",
    "} ; table inet x { chain y { } }",
    "# hash and ; semicolon",
    "back\\slash \\\" \\n",
    "non-ASCII: Zürich Ωmega 日本語 😀",
    "bidi \u{202e}override\u{2028}separator\u{0}nul\u{7f}del",
    "$var @set `tick` 'single'",
];

pub fn hostile_model(text: &str) -> Model {
    let mut model = riverside();
    for c in &mut model.conduits {
        c.justification = Some(text.to_string());
        c.vendor = Some(text.to_string());
        c.ticket = Some(text.to_string());
        c.log = true;
    }
    model
}

#[test]
fn hostile_policy_strings_never_break_the_config() {
    let long = "x\"y;}".repeat(400);
    let mut all: Vec<&str> = HOSTILE.to_vec();
    all.push(&long);
    for (i, text) in all.iter().enumerate() {
        let model = hostile_model(text);
        let mut opts = options(Mode::Enforce, "2026-11-28");
        opts.target = Some(text.to_string());
        let plan = build(&model, &opts);
        let mut benign_opts = options(Mode::Enforce, "2026-11-28");
        benign_opts.target = Some("x".to_string());
        let benign = build(&hostile_model("x"), &benign_opts);
        for backend in ["nftables", "iptables"] {
            let files = emit(backend, &plan);
            let reference = emit(backend, &benign);
            for (f, r) in files.iter().zip(&reference) {
                // No string adds a line: nothing was injected.
                assert_eq!(f.text.lines().count(), r.text.lines().count(), "{}", f.text);
                // Every line is a comment, or has its quotes balanced, and no
                // string leaked out of a comment.
                for line in f.text.lines() {
                    assert!(
                        line.starts_with('#') || line.matches('"').count() % 2 == 0,
                        "unbalanced quotes in {backend}: {line}"
                    );
                }
                assert!(!f.text.contains('\u{202e}') && !f.text.contains('\0'));
            }
            if crate::support::tools_ready() {
                tool_accepts(&files, &format!("hostile-{i}-{backend}"));
            }
        }
    }
    root_or_skip("hostile_policy_strings_never_break_the_config (tool checks)");
}
