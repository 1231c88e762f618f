//! Groups expand to exactly the written-out endpoint lists: a random policy
//! with (nested) groups and the same policy with every group name replaced
//! by its members give the same rule plan and byte-identical output from
//! every backend. The policy also has a multi-homed host `mh` (legs in a0
//! and b0); written out, its legs are two ordinary assets, and the plan is
//! the same: to a backend a leg is an address.

use crate::prop::Rng;
use crate::support::{build, options};
use conduit::compile::{self, BACKENDS};
use conduit::model::Mode;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Zones `a0..a2` (initiator side) and `b0..b2` (responder side), each
/// with three assets, so that no conduit can join a zone to itself.
/// `legs`: the host `mh` as an ordinary asset of a0 and of b0.
fn zones_with(legs: bool) -> String {
    let mut out = String::new();
    for (side, base) in [("a", 10), ("b", 20)] {
        for i in 0..3 {
            out.push_str(&format!(
                "zone {side}{i} {{\n    network 10.{base}.{i}.0/24\n"
            ));
            for j in 0..3 {
                out.push_str(&format!("    asset h{j} 10.{base}.{i}.{}\n", 10 + j));
            }
            if legs && i == 0 {
                out.push_str(&format!("    asset mh 10.{base}.0.50\n"));
            }
            out.push_str("}\n\n");
        }
    }
    out
}

/// The zones, with `mh` declared once as a multi-homed asset.
fn zones() -> String {
    zones_with(false)
        + "asset mh {\n    address 10.10.0.50 in a0\n    address 10.20.0.50 in b0\n}\n\n"
}

/// One random policy: its text with groups, and the written-out text.
fn policy(rng: &mut Rng) -> (String, String) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut text = zones();
    for side in ["a", "b"] {
        for k in 0..3 {
            let name = format!("g{side}{k}");
            let n = 1 + rng.below(3);
            let mut members = Vec::new();
            for _ in 0..n {
                // A member: an earlier group of this side, a zone or an asset.
                let m = if k > 0 && rng.chance(30) {
                    format!("g{side}{}", rng.below(k))
                } else if rng.chance(25) {
                    format!("{side}{}", rng.below(3))
                } else {
                    format!("{side}{}.h{}", rng.below(3), rng.below(3))
                };
                if !members.contains(&m) {
                    members.push(m);
                }
            }
            text.push_str(&format!("group {name} {{ {} }}\n", members.join(", ")));
            groups.insert(name, members);
        }
    }
    let mut flows = Vec::new();
    for c in 0..1 + rng.below(4) {
        let side = |rng: &mut Rng, s: &str| -> Vec<String> {
            (0..1 + rng.below(3))
                .map(|_| match rng.below(4) {
                    0 => format!("g{s}{}", rng.below(3)),
                    1 => format!("{s}{}.h{}", rng.below(3), rng.below(3)),
                    2 => format!("{s}0.mh"),
                    _ => format!("{s}{}", rng.below(3)),
                })
                .collect()
        };
        let (ini, res) = (side(rng, "a"), side(rng, "b"));
        let arrow = if rng.chance(30) { "<->" } else { "->" };
        let allow = *rng.pick(&["s7comm", "https", "tcp 502, 4840", "modbus, ntp"]);
        flows.push((c, ini, arrow, res, allow));
    }
    let conduit = |c: u64, ini: &[String], arrow: &str, res: &[String], allow: &str| {
        format!(
            "\nconduit c{c} {{\n    {} {arrow} {}\n    allow {allow}\n}}\n",
            ini.join(", "),
            res.join(", ")
        )
    };
    let mut written = zones_with(true);
    for (c, ini, arrow, res, allow) in &flows {
        text.push_str(&conduit(*c, ini, arrow, res, allow));
        let ini: Vec<String> = ini.iter().flat_map(|n| expand(&groups, n)).collect();
        let res: Vec<String> = res.iter().flat_map(|n| expand(&groups, n)).collect();
        written.push_str(&conduit(*c, &ini, arrow, &res, allow));
    }
    (text, written)
}

/// A name with every group replaced by its members, recursively.
fn expand(groups: &BTreeMap<String, Vec<String>>, name: &str) -> Vec<String> {
    match groups.get(name) {
        Some(members) => members.iter().flat_map(|m| expand(groups, m)).collect(),
        None => vec![name.to_string()],
    }
}

fn load(text: &str) -> conduit::model::Model {
    let loaded = conduit::load_str("p.zc", text);
    assert!(
        loaded.diagnostics.is_empty(),
        "{text}\n{:?}",
        loaded.diagnostics
    );
    loaded.model
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn groups_expand_to_the_written_out_lists(seed in any::<u64>()) {
        let (grouped, written) = policy(&mut Rng(seed));
        let (g, w) = (load(&grouped), load(&written));
        for c in &g.conduits {
            let cw = w.conduit(w.conduit_by_name(&c.name).unwrap());
            let names = |m: &conduit::model::Model, eps: &[conduit::model::Endpoint]| {
                eps.iter().map(|e| m.endpoint_name(e)).collect::<Vec<_>>()
            };
            prop_assert_eq!(names(&g, &c.initiators), names(&w, &cw.initiators));
            prop_assert_eq!(names(&g, &c.responders), names(&w, &cw.responders));
        }
        for mode in [Mode::Enforce, Mode::Monitor] {
            let opts = options(mode, "2026-11-28");
            let (pg, pw) = (build(&g, &opts), build(&w, &opts));
            prop_assert_eq!(&pg, &pw);
            for b in BACKENDS {
                let text = |p: &conduit::compile::Plan| compile::generate(*b, p).map(|files| {
                    files.into_iter().map(|f| f.text).collect::<Vec<_>>()
                }).map_err(|d| format!("{d:?}"));
                prop_assert_eq!(text(&pg), text(&pw), "backend {}", b.name());
            }
        }
    }
}

#[test]
fn group_uses_are_remembered_for_messages() {
    let m = load(&format!(
        "{}group ops {{ a0.h1, ga }}\ngroup ga {{ a1 }}\nconduit c {{\n    ops, a2 -> b0\n    allow s7comm\n}}\n",
        zones()
    ));
    let id = m.conduit_by_name("c").unwrap();
    let c = m.conduit(id);
    let via: Vec<(String, Option<&str>)> = c
        .initiators
        .iter()
        .map(|e| {
            (
                m.endpoint_name(e),
                m.group_of(id, e).map(|g| g.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        via,
        [
            ("a0.h1".to_string(), Some("ops")),
            ("a1".to_string(), Some("ops")),
            ("a2".to_string(), None)
        ]
    );
    assert_eq!(m.conduit(id).responders.len(), 1);
    assert!(m.group_of(id, &c.responders[0]).is_none());
}
