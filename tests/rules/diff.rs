//! `conduit diff`: semantic flow sets on the riverside plant (a change
//! that removes one conduit, adds one and widens a third reports exactly
//! those flows in JSON, Markdown and text), no change for the same model
//! written otherwise, `--fail-on` exit codes, `--base` from git, the
//! comment size limit and hostile strings in Markdown.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(name: &str) -> crate::scratch::Scratch {
    crate::scratch::dir(&format!("conduit-diff-test-{name}-"))
}

fn conduit(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn riverside_text() -> String {
    std::fs::read_to_string(root().join("examples/riverside/plant.zc")).unwrap()
}

/// Riverside without `business-reports`, with `https` added to
/// `hmi-control` and a new conduit `enterprise-ssh`.
fn changed_riverside() -> String {
    let s = riverside_text();
    let start = s.find("conduit business-reports").unwrap();
    let end = s.find("conduit hmi-control").unwrap();
    let mut s = format!("{}{}", &s[..start], &s[end..]);
    let widened = s.replacen(
        "    allow s7comm\n    justification \"Operators run line 1",
        "    allow s7comm, https\n    justification \"Operators run line 1",
        1,
    );
    assert_ne!(widened, s);
    s = widened;
    s.push_str(
        "\nconduit enterprise-ssh {\n    enterprise -> supervisory.ews\n    allow ssh\n    justification \"Remote engineering\"\n}\n",
    );
    s
}

/// A copy of the riverside folder with `plant.zc` replaced.
fn plant_dir(name: &str, plant: &str) -> crate::scratch::Scratch {
    let dir = temp_dir(name);
    std::fs::copy(
        root().join("examples/riverside/services-local.zc"),
        dir.join("services-local.zc"),
    )
    .unwrap();
    std::fs::write(dir.join("plant.zc"), plant).unwrap();
    dir
}

fn diff_json(old: &Path, new: &Path, extra: &[&str]) -> (i32, Value) {
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let mut args = vec!["diff", o, n, "--as-of", "2026-12-01", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = conduit(&root(), &args);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, doc)
}

fn flows(doc: &Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} -> {} {} {} {}",
                f["conduit"].as_str().unwrap(),
                f["from"].as_str().unwrap(),
                f["to"].as_str().unwrap(),
                f["service"].as_str().unwrap(),
                f["proto"].as_str().unwrap(),
                f["ports"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn removed_added_and_widened_conduits_are_exactly_those_flows() {
    let old = plant_dir("old", &riverside_text());
    let new = plant_dir("new", &changed_riverside());
    let (code, doc) = diff_json(&old.join("plant.zc"), &new, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        flows(&doc, "opened"),
        [
            "enterprise-ssh enterprise -> supervisory.ews ssh tcp 22",
            "hmi-control supervisory.hmi-1 -> line1 https tcp 443",
            "hmi-control supervisory.scada -> line1 https tcp 443",
        ]
    );
    assert_eq!(
        flows(&doc, "closed"),
        ["business-reports enterprise -> idmz.historian-mirror https tcp 443"]
    );
    assert!(doc["changed"].as_array().unwrap().is_empty());
    let opened = &doc["opened"][0];
    assert_eq!(opened["from_zone"], "enterprise");
    assert_eq!(opened["to_zone"], "supervisory");
    assert!(opened["window"].is_null() && opened["expires"].is_null());
    let new_codes: Vec<&str> = doc["findings"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(new_codes.contains(&"SEG-008"), "{new_codes:?}");
    assert!(!doc["findings"]["fixed"].as_array().unwrap().is_empty());
    assert!(doc["exposure"]["before"]["percent"].is_number());
    assert!(doc["exposure"]["after"]["total_weight"].is_number());

    let (o, n) = (old.join("plant.zc"), new.join("plant.zc"));
    let (o, n) = (o.to_str().unwrap(), n.to_str().unwrap());
    let base = ["diff", o, n, "--as-of", "2026-12-01"];
    let (code, md, _) = conduit(&root(), &[&base[..], &["--format", "markdown"]].concat());
    assert_eq!(code, 0);
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("**conduit diff:** opens 3 flows into line1, supervisory, closes 1;"),
        "{first}"
    );
    assert!(
        md.contains("| enterprise-ssh | enterprise | supervisory.ews | ssh | tcp | 22 | always |"),
        "{md}"
    );
    assert!(md.contains("#### Closed flows (1)"), "{md}");
    let (code, text, _) = conduit(&root(), &base);
    assert_eq!(code, 0);
    assert!(text.starts_with("conduit diff: opens 3 flows"), "{text}");
    assert!(
        text.contains("enterprise -> supervisory.ews  tcp 22  ssh (enterprise-ssh)"),
        "{text}"
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let old = plant_dir("fo-old", &riverside_text());
    let new = plant_dir("fo-new", &changed_riverside());
    let (o, n) = (old.join("plant.zc"), new.join("plant.zc"));
    let (o, n) = (o.to_str().unwrap(), n.to_str().unwrap());
    let run = |args: &[&str]| {
        let mut all = vec!["diff", o, n, "--as-of", "2026-12-01"];
        all.extend_from_slice(args);
        conduit(&root(), &all).0
    };
    assert_eq!(run(&[]), 0);
    assert_eq!(run(&["--fail-on", "opened"]), 1);
    assert_eq!(run(&["--fail-on", "new-findings"]), 1);
    assert_eq!(run(&["--fail-on", "safety"]), 0);
    assert_eq!(run(&["--fail-on", "safety", "--fail-on", "opened"]), 1);
    assert_eq!(run(&["--fail-on", "nonsense"]), 2);
    // The reverse change reopens business-reports, exposes nothing more.
    let back = |args: &[&str]| {
        let mut all = vec!["diff", n, o, "--as-of", "2026-12-01"];
        all.extend_from_slice(args);
        conduit(&root(), &all).0
    };
    assert_eq!(back(&["--fail-on", "opened"]), 1);
    assert_eq!(back(&["--fail-on", "exposure-increase"]), 0);
    // A conduit from IT straight into the safety zone.
    let unsafe_plant = format!(
        "{}\nconduit shortcut {{\n    enterprise -> sis\n    allow modbus\n    justification \"x\"\n}}\n",
        riverside_text()
    );
    let worse = plant_dir("fo-worse", &unsafe_plant);
    let w = worse.join("plant.zc");
    let w = w.to_str().unwrap();
    let worse_run = |what: &str| {
        conduit(
            &root(),
            &["diff", o, w, "--as-of", "2026-12-01", "--fail-on", what],
        )
        .0
    };
    assert_eq!(worse_run("safety"), 1);
    assert_eq!(worse_run("exposure-increase"), 1);
    let (_, doc) = diff_json(&old.join("plant.zc"), &worse.join("plant.zc"), &[]);
    assert_eq!(doc["blast"][0]["zone"], "sis", "{doc}");
    assert_eq!(doc["blast"][0]["safety"], true);
    // Usage and I/O.
    assert_eq!(conduit(&root(), &["diff", o]).0, 2);
    assert_eq!(conduit(&root(), &["diff", o, "/nonexistent/plant.zc"]).0, 2);
}

#[test]
fn the_same_model_written_otherwise_shows_nothing() {
    let old = root().join("examples/riverside/plant.zc");
    // The YAML form of the same plant.
    let (code, doc) = diff_json(
        &old,
        &root().join("examples/riverside-yaml/plant.yaml"),
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(
        doc["summary"],
        "no change in allowed flows, findings or exposure"
    );
    // Renamed and reordered conduits, the schedule's days spelled out,
    // one service replaced by an inline line with the same port.
    let s = riverside_text()
        .replace("conduit hmi-control", "conduit control-room")
        .replace(
            "\"mon-fri 06:00-18:00\"",
            "\"mon,tue,wed,thu,fri 06:00-18:00\"",
        )
        .replace("    allow historian-link\n", "    allow tcp 5450\n");
    let (hm, ts, end) = (
        s.find("conduit historian-mirror").unwrap(),
        s.find("conduit time-sync").unwrap(),
        s.find("waive PRO-003").unwrap(),
    );
    let reordered = format!("{}{}{}{}", &s[..hm], &s[ts..end], &s[hm..ts], &s[end..]);
    let dir = plant_dir("same", &reordered);
    let (code, doc) = diff_json(&old, &dir.join("plant.zc"), &["--fail-on", "opened"]);
    assert_eq!(code, 0, "{doc}");
    for key in ["opened", "closed", "changed"] {
        assert!(doc[key].as_array().unwrap().is_empty(), "{key}: {doc}");
    }
}

#[test]
fn a_new_window_is_a_change_not_an_opened_flow() {
    let old = root().join("examples/riverside/plant.zc");
    let s = riverside_text().replace("\"mon-fri 06:00-18:00\"", "\"mon-sat 06:00-20:00\"");
    let dir = plant_dir("window", &s);
    let (_, doc) = diff_json(&old, &dir.join("plant.zc"), &[]);
    assert!(doc["opened"].as_array().unwrap().is_empty(), "{doc}");
    let changed = doc["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{doc}");
    assert_eq!(changed[0]["conduit"], "engineering");
    assert_eq!(changed[0]["window"], "mon-sat 06:00-20:00");
    assert_eq!(changed[0]["before"]["window"], "mon-fri 06:00-18:00");
    // More hours are an opening; fewer are not.
    let (code, _) = diff_json(&old, &dir.join("plant.zc"), &["--fail-on", "opened"]);
    assert_eq!(code, 1);
    let (code, doc) = diff_json(&dir.join("plant.zc"), &old, &["--fail-on", "opened"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["changed"].as_array().unwrap().len(), 1);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn base_reads_the_old_policy_from_git() {
    let repo = temp_dir("git");
    let policies = repo.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::copy(
        root().join("examples/riverside/services-local.zc"),
        policies.join("services-local.zc"),
    )
    .unwrap();
    std::fs::write(policies.join("plant.zc"), riverside_text()).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    std::fs::write(policies.join("plant.zc"), changed_riverside()).unwrap();
    let args = [
        "diff",
        "--base",
        "HEAD",
        "policies",
        "--as-of",
        "2026-12-01",
        "--format",
        "json",
    ];
    let (code, out, err) = conduit(&repo, &args);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(flows(&doc, "opened").len(), 3, "{doc}");
    assert_eq!(flows(&doc, "closed").len(), 1, "{doc}");
    let fixed = doc["findings"]["fixed"][0]["location"].as_str().unwrap();
    assert!(fixed.starts_with("HEAD:policies/plant.zc:"), "{fixed}");
    // A directory the base revision does not have: everything is opened.
    std::fs::create_dir_all(repo.join("site2")).unwrap();
    std::fs::write(repo.join("site2/plant.zc"), changed_riverside()).unwrap();
    std::fs::copy(
        root().join("examples/riverside/services-local.zc"),
        repo.join("site2/services-local.zc"),
    )
    .unwrap();
    let (code, out, err) = conduit(
        &repo,
        &[
            "diff",
            "--base",
            "HEAD",
            "site2",
            "--format",
            "json",
            "--fail-on",
            "opened",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("\"opened\""));
    for bad in ["no-such-rev", "--output=/tmp/x"] {
        let (code, _, err) = conduit(&repo, &["diff", "--base", bad, "policies"]);
        assert_eq!(code, 2, "{bad}: {err}");
    }
}

#[test]
fn markdown_stays_under_the_comment_limit() {
    let mut old = String::new();
    let mut new = String::new();
    for i in 0..400 {
        let zone = format!(
            "zone z{i} {{\n purdue 2\n sl 2\n owner \"o\"\n network 10.{}.{}.0/24\n}}\n",
            i / 200 + 1,
            i % 200
        );
        old.push_str(&zone);
        new.push_str(&zone);
    }
    for i in 0..399 {
        new.push_str(&format!(
            "conduit c{i} {{\n z{i} -> z{}\n allow modbus, s7comm\n justification \"|<b>`x`</b>\"\n}}\n",
            i + 1
        ));
    }
    let dir = temp_dir("big");
    std::fs::write(dir.join("old.zc"), old).unwrap();
    std::fs::write(dir.join("new.zc"), new).unwrap();
    let (code, md, err) = conduit(&dir, &["diff", "old.zc", "new.zc", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.starts_with("**conduit diff:** opens 798 flows"),
        "{}",
        &md[..200]
    );
    assert!(md.contains("<details><summary>Opened flows (798)</summary>"));
    assert!(md.contains("only in `--format json`"));
    assert!(!md.contains("<b>"));
}

#[test]
fn policy_strings_do_not_inject_into_markdown() {
    let zones = "zone a {\n    purdue 2\n    sl 2\n    owner \"Ops | <img src=x onerror=alert(1)> `rm` [x](http://e) @team **b**\"\n    network 10.1.0.0/24\n}\n\
                 zone b {\n    purdue 3\n    sl 2\n    owner \"Other <b>team</b>\"\n    network 10.2.0.0/24\n}\n";
    let dir = temp_dir("hostile");
    std::fs::write(dir.join("old.zc"), zones).unwrap();
    std::fs::write(
        dir.join("new.zc"),
        format!("{zones}conduit c {{\n    a <-> b\n    allow ntp\n    justification \"x\"\n}}\n"),
    )
    .unwrap();
    let args = [
        "diff",
        "old.zc",
        "new.zc",
        "--as-of",
        "2026-12-01",
        "--format",
        "markdown",
    ];
    let (code, md, err) = conduit(&dir, &args);
    assert_eq!(code, 0, "{err}");
    // The owner strings are quoted in a finding message (DOC-001).
    assert!(md.contains("&lt;img src=x"), "{md}");
    for bad in ["<img", "<b>", "`rm`", "[x]", "@team", "**b**", "| <"] {
        assert!(!md.contains(bad), "{bad} in {md}");
    }
    // Every table row keeps its column count.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| error") || l.starts_with("| warning"))
    {
        assert_eq!(line.matches(" | ").count(), 4, "{line}");
    }
}

/// A group written out changes no flow; a member added to a group opens
/// exactly its flows, which name the group they come from.
#[test]
fn groups_diff_by_their_members() {
    let grouped = root().join("examples/segments/plant.zc");
    let text = std::fs::read_to_string(&grouped).unwrap();
    let written = text.replace(
        "    operators -> line1-plcs\n",
        "    scada-cc.hmi-1, scada-cc.hmi-2 -> line1.filler-plc, line1.capper-plc\n",
    );
    assert_ne!(written, text);
    let dir = temp_dir("groups-diff");
    std::fs::write(dir.join("written.zc"), &written).unwrap();
    let (code, doc) = diff_json(&grouped, &dir.join("written.zc"), &[]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        doc["summary"],
        "no change in allowed flows, findings or exposure"
    );
    let wider = text.replace(
        "group operators { scada-cc.hmi-1, scada-cc.hmi-2 }",
        "group operators { scada-cc.hmi-1, scada-cc.hmi-2, scada-cc.ews }",
    );
    std::fs::write(dir.join("wider.zc"), &wider).unwrap();
    let (_, doc) = diff_json(&grouped, &dir.join("wider.zc"), &[]);
    let mut opened = flows(&doc, "opened");
    opened.sort();
    // ews was already a trend client: only the run-line flows open.
    assert_eq!(
        opened,
        [
            "run-line via group operators, line1-plcs scada-cc.ews -> line1.capper-plc s7comm tcp 102",
            "run-line via group operators, line1-plcs scada-cc.ews -> line1.filler-plc s7comm tcp 102",
        ],
        "{doc}"
    );
}

/// Restricting a conduit to a source port (`from 47808`) closes the flow
/// from any source port and opens the narrower one; adding an ICMPv6 type
/// opens an `icmpv6` flow, never an `icmp` one.
#[test]
fn source_ports_and_icmpv6_are_part_of_a_flow() {
    let zones = "zone bms {\n    network 10.60.0.0/24\n    network 2001:db8:60::/64\n}\nzone plant {\n    network 10.61.0.0/24\n    network 2001:db8:61::/64\n}\n";
    let old = temp_dir("ports-old");
    let new = temp_dir("ports-new");
    std::fs::write(
        old.join("p.zc"),
        format!("{zones}conduit bbmd {{\n    bms -> plant\n    allow udp 47808\n}}\n"),
    )
    .unwrap();
    std::fs::write(
        new.join("p.zc"),
        format!("{zones}conduit bbmd {{\n    bms -> plant\n    allow udp 47808 from 47808, icmpv6 128\n}}\n"),
    )
    .unwrap();
    let (code, doc) = diff_json(&old.join("p.zc"), &new.join("p.zc"), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        flows(&doc, "closed"),
        ["bbmd bms -> plant (inline) udp 47808"]
    );
    let opened = flows(&doc, "opened");
    assert!(
        opened.contains(&"bbmd bms -> plant (inline) udp from 47808 47808".to_string()),
        "{opened:?}"
    );
    assert!(opened.iter().any(|f| f.contains(" icmpv6 ")), "{opened:?}");
    assert!(!opened.iter().any(|f| f.contains(" icmp ")), "{opened:?}");
}
