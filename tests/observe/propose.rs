//! `--propose`: the proposal parses, and merged with the policy leaves
//! exactly the flows it refused as deviations.

use super::riverside::expected;
use super::support::*;
use std::collections::BTreeSet;

#[test]
fn the_merged_proposal_leaves_only_the_refused_flows() {
    let dir = temp_dir("propose");
    let proposal = dir.join("proposed.zc");
    let p = proposal.to_str().unwrap();
    let (run, _) = observe_json(&[PLANT], "examples/observe/conn.log", &["--propose", p]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = std::fs::read_to_string(&proposal).unwrap();
    let active = text.lines().filter(|l| l.starts_with("conduit ")).count();
    let refused = text.lines().filter(|l| l.starts_with("# REFUSED")).count();
    assert_eq!((active, refused), (4, 5), "{text}");
    assert!(
        text.contains("allow icmp-echo"),
        "catalog name for icmp 8:\n{text}"
    );
    assert!(text.contains("allow ssh"), "{text}");
    assert!(
        text.contains("allow historian-link"),
        "policy service for tcp 5450:\n{text}"
    );
    assert!(
        text.contains("# seen 3 times, 2026-11-30T09:12:27Z .. 2026-11-30T14:00:07Z"),
        "{text}"
    );
    assert!(text.contains("joins safety zone `sis`"), "{text}");
    assert!(text.contains("bypassing the DMZ"), "{text}");
    assert!(
        text.contains("outside the window of conduit `engineering`"),
        "{text}"
    );
    assert!(
        text.contains("10.30.0.99 is not a declared asset"),
        "{text}"
    );

    // The proposal passes language validation with the policy.
    let check = conduit(&["check", PLANT, p, "--format", "json"]);
    assert!(!check.stdout.contains("\"E0"), "{}", check.stdout);

    // Merged, the four proposed conduits allow their flows; the rest remain.
    let (_, report) = observe_json(&[PLANT, p], "examples/observe/conn.log", &[]);
    let proposed: BTreeSet<(&str, &str)> = [
        ("10.30.0.21", "10.25.0.10"),
        ("10.30.0.21", "10.40.1.10"),
        ("10.20.0.10", "10.25.0.10"),
        ("198.51.100.7", "10.20.0.20"),
    ]
    .into_iter()
    .collect();
    let remaining: BTreeSet<Dev> = expected()
        .into_iter()
        .filter(|d| !proposed.contains(&(d.0.as_str(), d.1.as_str())))
        .collect();
    assert_eq!(deviations(&report), remaining);
    assert_eq!(remaining.len(), 6);
}

#[test]
fn the_proposal_is_deterministic_and_prefers_the_services_in_use() {
    let dir = temp_dir("propose-fmt");
    let a = dir.join("a.zc");
    let b = dir.join("b.zc");
    for p in [&a, &b] {
        observe_json(
            &[PLANT],
            "examples/observe/conn.json",
            &["--propose", p.to_str().unwrap()],
        );
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    // tcp 102 is the s7comm the plant already uses, not another ISO-TSAP service.
    assert!(text.contains("allow s7comm\n"), "{text}");
}
