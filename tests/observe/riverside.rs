//! A day of the riverside plant (examples/observe, written by
//! generate.py): every format reports exactly the deviations the
//! generator put in, with the reason and at their instants.

use super::support::*;
use std::collections::BTreeSet;

/// The deviations of examples/observe/generate.py (its DEVIATIONS list).
pub fn expected() -> BTreeSet<Dev> {
    [
        dev(
            "10.10.5.23",
            "10.25.0.10",
            "tcp",
            443,
            "no-conduit",
            "drop",
            2,
        ),
        dev(
            "10.20.0.10",
            "10.25.0.10",
            "tcp",
            5450,
            "reverse-direction",
            "drop",
            2,
        ),
        dev("10.30.0.5", "8.8.8.8", "udp", 53, "no-conduit", "drop", 6),
        dev(
            "10.30.0.21",
            "10.25.0.10",
            "tcp",
            22,
            "wrong-service",
            "would-drop",
            3,
        ),
        dev(
            "10.30.0.21",
            "10.40.1.10",
            "icmp",
            8,
            "wrong-service",
            "drop",
            4,
        ),
        dev(
            "10.30.0.30",
            "10.40.1.10",
            "tcp",
            102,
            "outside-window",
            "drop",
            3,
        ),
        dev(
            "10.30.0.99",
            "10.40.1.10",
            "tcp",
            102,
            "no-conduit",
            "drop",
            2,
        ),
        dev(
            "10.40.1.10",
            "10.50.0.2",
            "tcp",
            502,
            "no-conduit",
            "drop",
            3,
        ),
        dev(
            "198.51.100.7",
            "10.20.0.20",
            "tcp",
            22,
            "wrong-service",
            "drop",
            1,
        ),
        dev(
            "203.0.113.50",
            "10.20.0.20",
            "tcp",
            443,
            "outside-window",
            "drop",
            1,
        ),
    ]
    .into_iter()
    .collect()
}

#[test]
fn zeek_tsv_json_and_kernel_logs_report_exactly_the_dropped_flows() {
    for log in ["conn.log", "conn.json", "kernel.log", "flows.csv"] {
        let path = format!("examples/observe/{log}");
        let (run, report) = observe_json(&[PLANT], &path, &[]);
        assert_eq!(run.code, 1, "{log}: {}", run.stderr);
        assert_eq!(deviations(&report), expected(), "{log}");
        assert_eq!(report["summary"]["malformed"], 0, "{log}: {}", run.stderr);
        let format = &report["summary"]["files"][0]["format"];
        let want = match log {
            "conn.log" => "zeek",
            "conn.json" => "zeek-json",
            "kernel.log" => "kernel",
            _ => "csv",
        };
        assert_eq!(format, want, "{log}: detected format");
    }
}

#[test]
fn flows_are_judged_at_their_own_instant() {
    let (_, report) = observe_json(&[PLANT], "examples/observe/conn.log", &[]);
    // The engineering workstation reaches the PLC inside its window
    // (allowed by `engineering`) and after 18:00 (a deviation).
    let ews = |list: &str| -> Vec<serde_json::Value> {
        report[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["src"] == "10.30.0.30" && e["dst"] == "10.40.1.10")
            .cloned()
            .collect()
    };
    let allowed = ews("allowed");
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0]["conduit"], "engineering");
    assert!(allowed[0]["last_seen"].as_str().unwrap() < "2026-11-30T18:00:00Z");
    let late = ews("deviations");
    assert_eq!(late[0]["first_seen"], "2026-11-30T19:30:02Z");
    assert_eq!(late[0]["last_seen"], "2026-11-30T20:06:25Z");
    assert_eq!(late[0]["src_zone"], "supervisory");
    assert_eq!(late[0]["dst_zone"], "line1");
    assert_eq!(late[0]["src_asset"], "supervisory.ews");
    assert_eq!(late[0]["reasons"][0]["conduit"], "engineering");
}

#[test]
fn the_kernel_log_agrees_with_the_firewall_that_wrote_it() {
    // Every `conduit-deny:` line is a drop, every `conduit-monitor:` line
    // a would-drop: observe and the firewall read the same plan.
    let text = std::fs::read_to_string("examples/observe/kernel.log").unwrap();
    let monitor = text.matches("conduit-monitor: ").count() as u64;
    let deny = text.matches("conduit-deny: ").count() as u64;
    let (_, report) = observe_json(&[PLANT], "examples/observe/kernel.log", &[]);
    let count = |verdict: &str| -> u64 {
        report["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["verdict"] == verdict)
            .map(|d| d["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!((count("drop"), count("would-drop")), (deny, monitor));
    assert!(report["allowed"].as_array().unwrap().is_empty());
}

#[test]
fn unknown_hosts_are_addresses_of_zones_that_are_not_assets() {
    let (_, report) = observe_json(&[PLANT], "examples/observe/conn.log", &[]);
    let hosts: Vec<(&str, &str)> = report["unknown_hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["address"].as_str().unwrap(), h["zone"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("10.10.5.23", "enterprise"),
            ("10.10.7.140", "enterprise"),
            ("10.30.0.99", "supervisory"),
            ("10.50.0.2", "sis")
        ]
    );
    // Internet addresses are outside the plant, never "unknown hosts".
    assert_eq!(report["summary"]["unknown_hosts"], 4);
}

#[test]
fn text_and_markdown_tell_the_same_story_and_the_exit_codes_hold() {
    let log = "examples/observe/conn.log";
    for format in ["text", "markdown"] {
        let run = conduit(&[
            "observe",
            PLANT,
            "--log",
            log,
            "--format",
            format,
            "--as-of",
            "2026-12-01",
        ]);
        assert_eq!(run.code, 1);
        assert!(run.stdout.contains("10.30.0.30"), "{format}");
        assert!(run.stdout.contains("outside-window"), "{format}");
    }
    // Only allowed traffic: exit 0.
    let dir = temp_dir("clean");
    let csv = dir.join("ok.csv");
    std::fs::write(
        &csv,
        "ts,src,dst,proto,port\n1796029200,10.30.0.21,10.40.1.10,tcp,102\n",
    )
    .unwrap();
    let run = conduit(&["observe", PLANT, "--log", csv.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Usage and I/O: exit 2.
    let missing = conduit(&["observe", PLANT, "--log", "/nonexistent/conn.log"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read"));
    let bad_date = conduit(&["observe", PLANT, "--log", log, "--as-of", "30.11.2026"]);
    assert_eq!(bad_date.code, 2);
    // Zeek records without their header read as a kernel log: nothing in
    // them is ours, and the run says so.
    let headless = dir.join("headless.log");
    let body: String = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&headless, body).unwrap();
    let run = conduit(&["observe", PLANT, "--log", headless.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("no connection in 712 lines read as kernel"),
        "{}",
        run.stderr
    );
    let run = conduit(&[
        "observe",
        PLANT,
        "--log",
        headless.to_str().unwrap(),
        "--log-format",
        "zeek",
    ]);
    assert!(
        run.stderr
            .contains(":1: warning[O0001]: a record before the #fields header"),
        "{}",
        run.stderr
    );
    let no_log = conduit(&["observe", PLANT]);
    assert_eq!(no_log.code, 2);
}

#[test]
fn the_report_is_deterministic() {
    let a = observe_json(&[PLANT], "examples/observe/conn.json", &[])
        .0
        .stdout;
    let b = observe_json(&[PLANT], "examples/observe/conn.json", &[])
        .0
        .stdout;
    assert_eq!(a, b);
}

#[test]
fn gzipped_logs_are_read_as_they_are() {
    use std::io::Write;
    let dir = temp_dir("gzip");
    let gz = dir.join("conn.log.gz");
    let text = std::fs::read("examples/observe/conn.log").unwrap();
    let (first, second) = text.split_at(text.len() / 2);
    // Two gzip members, as `cat a.gz b.gz` gives.
    let mut bytes = Vec::new();
    for part in [first, second] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).unwrap();
        bytes.extend(e.finish().unwrap());
    }
    std::fs::write(&gz, bytes).unwrap();
    let (run, report) = observe_json(&[PLANT], gz.to_str().unwrap(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(deviations(&report), expected());
    assert_eq!(report["summary"]["connections"], 712);
    // A truncated archive is an I/O error, not a panic.
    let cut = dir.join("cut.log.gz");
    let all = std::fs::read(&gz).unwrap();
    std::fs::write(&cut, &all[..all.len() / 3]).unwrap();
    let run = conduit(&["observe", PLANT, "--log", cut.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A flow from either address of a multi-homed host is placed with its leg
/// and names the host; each leg is judged by the conduits of its own zone.
#[test]
fn flows_from_either_leg_of_a_multi_homed_host_name_the_host() {
    let dir = temp_dir("multi-homed");
    let csv = dir.join("flows.csv");
    std::fs::write(
        &csv,
        "ts,src,dst,proto,port\n\
         1796029200,172.16.30.99,172.16.40.10,tcp,4840\n\
         1796029200,172.16.20.10,172.16.40.10,tcp,4840\n",
    )
    .unwrap();
    let (run, v) = observe_json(&["examples/segments/plant.zc"], csv.to_str().unwrap(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let dev = &v["deviations"][0];
    assert_eq!(dev["src"], "172.16.20.10");
    assert_eq!(dev["src_asset"], "scada-ops.historian");
    assert_eq!(dev["src_host"], "historian");
    assert_eq!(dev["reason"], "no-conduit");
    let ok = &v["allowed"][0];
    assert_eq!(ok["src_asset"], "scada-cc.historian");
    assert_eq!(ok["src_host"], "historian");
    assert_eq!(ok["conduit"], "collect");
    assert!(
        dev.get("dst_host").is_none(),
        "single-homed addresses name no host"
    );
}
