//! Running the binary and reading its JSON report.

use std::collections::BTreeSet;
use std::process::Command;

pub const PLANT: &str = "examples/riverside/plant.zc";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn conduit(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .output()
        .expect("run conduit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `conduit observe POLICY… --log LOG --format json --as-of 2026-12-01`.
pub fn observe_json(policies: &[&str], log: &str, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut args = vec!["observe"];
    args.extend_from_slice(policies);
    args.extend_from_slice(&["--log", log, "--format", "json"]);
    if !extra.contains(&"--as-of") {
        args.extend_from_slice(&["--as-of", "2026-12-01"]);
    }
    args.extend_from_slice(extra);
    let run = conduit(&args);
    let v = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run, v)
}

/// A deviation as (src, dst, proto, port or ICMP type, reason, verdict, count).
pub type Dev = (String, String, String, u64, String, String, u64);

pub fn deviations(report: &serde_json::Value) -> BTreeSet<Dev> {
    report["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let port = d["port"].as_u64().or(d["icmp_type"].as_u64()).unwrap_or(0);
            (
                d["src"].as_str().unwrap().to_string(),
                d["dst"].as_str().unwrap().to_string(),
                d["proto"].as_str().unwrap().to_string(),
                port,
                d["reason"].as_str().unwrap().to_string(),
                d["verdict"].as_str().unwrap().to_string(),
                d["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn dev(s: &str, d: &str, p: &str, port: u64, reason: &str, verdict: &str, n: u64) -> Dev {
    (
        s.to_string(),
        d.to_string(),
        p.to_string(),
        port,
        reason.to_string(),
        verdict.to_string(),
        n,
    )
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> crate::scratch::Scratch {
    crate::scratch::dir(&format!("conduit-observe-{name}-"))
}
