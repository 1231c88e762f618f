//! `check` is the one gate: it reports what the rule plan knows (expired,
//! empty, soon expiring, defeated and redundant conduits); `compile` says
//! when the policy has failing findings and refuses with `--deny
//! findings`; the shipped examples pass (or fail) their own tour.

use crate::support::root_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn conduit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(root_dir())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh directory, removed when the test ends.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("conduit-gate-{name}-"))
        .tempdir()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The clean example plus conduits that only the rule plan judges.
fn lifecycle_policy(d: &Path) -> PathBuf {
    let base = std::fs::read_to_string(root_dir().join("examples/clean/plant.zc")).unwrap();
    let extra = r#"
zone lab {
    purdue 2
    sl 2
    owner "Operations"
    network 2001:db8:77::/48
}

conduit old-access {
    enterprise.office -> idmz.mirror
    allow ssh
    controls ids, rate-limit
    expires 2026-01-01
    justification "Finished project"
}

conduit no-family {
    sup.scada -> lab
    allow pi-tls
    controls ids
    justification "IPv4 host to an IPv6-only zone"
}

conduit closing {
    ops.historian -> idmz.mirror
    allow pi-tls
    controls ids, rate-limit
    expires 2026-12-10
    justification "Migration window"
}

conduit night-only {
    sup.scada -> cell.plc
    allow s7comm
    controls ids
    schedule "mon-fri 22:00-23:59"
    justification "Night shift only"
}
"#;
    let p = d.join("plant.zc");
    std::fs::write(&p, base + extra).unwrap();
    p
}

#[test]
fn check_reports_expired_empty_expiring_defeated_and_redundant_conduits() {
    let tmp = dir("lifecycle");
    let d = tmp.path();
    let p = lifecycle_policy(d);
    let (code, out, _) = conduit(&["check", s(&p), "--as-of", "2026-11-28"]);
    assert_eq!(code, 0, "warnings only: {out}");
    for (code, what) in [
        ("W0001", "`old-access` expired"),
        ("W0003", "`no-family` compiles to no firewall rule"),
        ("W0005", "`closing` expires in 12 days"),
        (
            "W0006",
            "conduit `control` allows at all times traffic of conduit `night-only`",
        ),
        (
            "W0007",
            "conduit `closing` is redundant: conduit `mirror` allows all of its traffic",
        ),
        (
            "W0007",
            "conduit `night-only` is redundant: conduit `control`",
        ),
    ] {
        assert!(
            out.contains(code) && out.contains(what),
            "{code} {what}:\n{out}"
        );
    }
    let (code, _, _) = conduit(&[
        "check",
        s(&p),
        "--as-of",
        "2026-11-28",
        "--deny",
        "warnings",
    ]);
    assert_eq!(code, 1);
    // The warning window comes from conduit.yaml.
    let (_, out, _) = conduit(&["check", s(&p), "--as-of", "2026-11-20"]);
    assert!(!out.contains("W0005"), "{out}");
    std::fs::write(
        d.join("conduit.yaml"),
        "thresholds:\n  expiry-warning-days: 30\n",
    )
    .unwrap();
    let (_, out, _) = conduit(&["check", s(&p), "--as-of", "2026-11-20"]);
    assert!(out.contains("`closing` expires in 20 days"), "{out}");
}

#[test]
fn compile_says_when_the_policy_fails_check_and_can_refuse() {
    let tmp = dir("deny");
    let d = tmp.path();
    let out = d.join("fw.nft");
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "compile",
            "examples/riverside/plant.zc",
            "--backend",
            "nftables",
            "--as-of",
            "2026-11-28",
            "-o",
            s(&out),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| conduit(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let (code, _, err) = run(args(&[]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("failing findings") && err.contains("--deny findings"),
        "{err}"
    );
    assert!(out.is_file());
    std::fs::remove_file(&out).unwrap();
    let (code, _, err) = run(args(&["--deny", "findings"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Nothing was compiled"), "{err}");
    assert!(!out.exists());

    let (code, _, err) = conduit(&[
        "compile",
        "examples/clean/plant.zc",
        "--backend",
        "nftables",
        "--as-of",
        "2026-11-28",
        "--deny",
        "findings",
        "-o",
        s(&out),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn the_shipped_examples_pass_their_own_tour() {
    let as_of = ["--as-of", "2026-11-28"];
    let (code, out, _) = conduit(&["check", "examples/clean/", as_of[0], as_of[1]]);
    assert_eq!(code, 0, "the clean example has findings:\n{out}");
    let (code, out, _) = conduit(&[
        "check",
        "examples/clean/",
        as_of[0],
        as_of[1],
        "--deny",
        "warnings",
    ]);
    assert_eq!(code, 0, "the clean example has warnings:\n{out}");
    // The findings example fails on purpose, with findings, not errors.
    let (code, out, _) = conduit(&["check", "examples/riverside/", as_of[0], as_of[1]]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("E02"), "language errors in riverside:\n{out}");
    let (code, out, _) = conduit(&["check", "examples/riverside-yaml/", as_of[0], as_of[1]]);
    assert_eq!(code, 1, "{out}");
    assert!(
        !out.contains("E02"),
        "language errors in the YAML form:\n{out}"
    );
    // A target profile next to the policies is not read as a policy.
    let tmp = dir("with-profile");
    let d = tmp.path();
    std::fs::copy(
        root_dir().join("examples/clean/plant.zc"),
        d.join("plant.zc"),
    )
    .unwrap();
    std::fs::write(
        d.join("edge-fw.yaml"),
        "name: edge-fw\nbackend: nftables\ninterfaces:\n  enterprise: eth0\n  idmz: eth1\n",
    )
    .unwrap();
    let (code, out, _) = conduit(&["check", s(d), as_of[0], as_of[1]]);
    assert_eq!(code, 0, "{out}");
    for backend in ["nftables", "iptables"] {
        let out_file = d.join(format!("fw-{backend}"));
        let (code, _, err) = conduit(&[
            "compile",
            "examples/clean/",
            "--backend",
            backend,
            as_of[0],
            as_of[1],
            "--deny",
            "findings",
            "-o",
            s(&out_file),
        ]);
        assert_eq!(code, 0, "{backend}: {err}");
    }
}

#[test]
fn an_expiry_iptables_cannot_hold_is_refused_at_its_line() {
    let tmp = dir("far");
    let d = tmp.path();
    let clean = std::fs::read_to_string(root_dir().join("examples/clean/plant.zc")).unwrap();
    assert!(
        clean.contains("expires 2030-12-31"),
        "the clean example changed"
    );
    let text = clean.replace("expires 2030-12-31", "expires 2600-01-01");
    let p = d.join("plant.zc");
    std::fs::write(&p, text).unwrap();
    let out = d.join("fw.rules");
    let (code, _, err) = conduit(&[
        "compile",
        s(&p),
        "--backend",
        "iptables",
        "--as-of",
        "2026-11-28",
        "-o",
        s(&out),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("E0510") && err.contains("1970-01-02 to 2039-01-01"),
        "{err}"
    );
    assert!(
        err.contains("plant.zc:") && err.contains("outside the backend's range"),
        "{err}"
    );
    assert!(!out.exists());
    // nftables keeps the meaning: the kernel clock never reaches 2600.
    let (code, _, err) = conduit(&[
        "compile",
        s(&p),
        "--backend",
        "nftables",
        "--as-of",
        "2026-11-28",
        "-o",
        s(&d.join("fw.nft")),
    ]);
    assert_eq!(code, 0, "{err}");
}
