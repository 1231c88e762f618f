//! Multi-homed assets bridge their zones: a foothold in one zone of the
//! host is a foothold in its other zones, with no conduit crossed.

use conduit::graph::*;
use conduit::model::Model;

/// office -> scada-ops.historian over https (a foothold); scada-cc and
/// cell are joined to scada-ops only by the hosts named in `hosts`.
fn plant(hosts: &str) -> Model {
    let text = format!(
        "zone office {{ purdue 4; sl 1; network 10.0.0.0/24 }}
zone scada-ops {{ purdue 3; sl 2; network 172.16.20.0/24 }}
zone scada-cc {{ purdue 2; sl 2; network 172.16.30.0/24; asset hmi 172.16.30.5 }}
zone cell {{ purdue 1; sl 2; network 172.16.40.0/24; asset plc 172.16.40.10 }}
conduit reports {{ office -> scada-ops.historian; allow https }}
{hosts}"
    );
    let loaded = conduit::load_str("p.zc", &text);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

/// The historian with one leg: an ordinary asset of scada-ops.
const SINGLE: &str = "asset historian { address 172.16.20.10 in scada-ops }";

const HISTORIAN: &str =
    "asset historian { address 172.16.20.10 in scada-ops; address 172.16.30.99 in scada-cc }";

fn grades(m: &Model, r: &BlastReport) -> Vec<(String, &'static str, u32)> {
    r.zones
        .iter()
        .map(|z| (m.zone(z.zone).name.clone(), z.grade.as_str(), z.hops))
        .collect()
}

#[test]
fn a_multi_homed_host_bridges_its_zones() {
    let m = plant(HISTORIAN);
    let r = analyze(&m, &BlastOptions::default());
    assert_eq!(
        grades(&m, &r),
        [
            ("scada-cc".to_string(), "compromised", 1),
            ("scada-ops".to_string(), "compromised", 1)
        ]
    );
    // The path into scada-cc is the path to the host: one conduit.
    let cc = r.zone(m.zone_by_name("scada-cc").unwrap()).unwrap();
    let names: Vec<&str> = cc
        .path
        .iter()
        .map(|e| m.conduit(e.conduit).name.as_str())
        .collect();
    assert_eq!(names, ["reports"]);
    // Cutting the one conduit cuts both zones off.
    let cut = r.min_cut.as_ref().unwrap();
    assert_eq!(cut.conduits, [m.conduit_by_name("reports").unwrap()]);
    let text = render::render_text(&m, &r);
    assert!(
        text.contains("scada-ops.historian =[inside multi-homed historian]=> scada-cc"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&render::render_json(&m, &r)).unwrap();
    let zones = json["zones"].as_array().unwrap();
    let cc = zones.iter().find(|z| z["zone"] == "scada-cc").unwrap();
    assert_eq!(cc["via_hosts"], serde_json::json!(["historian"]));
    let ops = zones.iter().find(|z| z["zone"] == "scada-ops").unwrap();
    assert!(ops.get("via_hosts").is_none());
}

#[test]
fn bridges_chain_and_boundary_devices_do_not_bridge() {
    let chain = format!(
        "{HISTORIAN}\nasset ews {{ address 172.16.30.30 in scada-cc; address 172.16.40.30 in cell }}"
    );
    let m = plant(&chain);
    let r = analyze(&m, &BlastOptions::default());
    assert_eq!(r.zones.len(), 3, "{:?}", grades(&m, &r));
    // Depth-limited paths see the bridge as no crossing.
    let r1 = analyze(
        &m,
        &BlastOptions {
            depth: Some(1),
            ..BlastOptions::default()
        },
    );
    assert_eq!(r1.zones.len(), 3, "{:?}", grades(&m, &r1));
    let fw = "asset historian { address 172.16.20.10 in scada-ops }\nasset fw { boundary-device true; address 172.16.20.1 in scada-ops; address 172.16.30.1 in scada-cc }";
    let m = plant(fw);
    let r = analyze(&m, &BlastOptions::default());
    assert_eq!(
        grades(&m, &r),
        [("scada-ops".to_string(), "compromised", 1)]
    );
    // Without any host, scada-cc stays out of reach.
    let m = plant(SINGLE);
    assert_eq!(analyze(&m, &BlastOptions::default()).zones.len(), 1);
}

#[test]
fn path_rules_see_the_bridge() {
    // scada-cc is reached from office without a DMZ only through the host.
    let codes = |m: &Model| -> Vec<(String, String)> {
        let as_of = conduit::model::Date::parse("2026-11-28").unwrap();
        let report = conduit::check::run(m, &conduit::check::config::RuleConfig::default(), as_of);
        report
            .findings
            .iter()
            .filter(|f| {
                f.diagnostic.code.starts_with("PATH-001")
                    || f.diagnostic.code.starts_with("NET-003")
            })
            .map(|f| (f.diagnostic.code.to_string(), f.diagnostic.message.clone()))
            .collect()
    };
    let with = codes(&plant(HISTORIAN));
    let about = |list: &[(String, String)], code: &str| {
        list.iter()
            .any(|(c, msg)| c == code && msg.contains("scada-cc"))
    };
    assert!(about(&with, "NET-003"), "{with:?}");
    assert!(about(&with, "PATH-001"), "{with:?}");
    let without = codes(&plant(SINGLE));
    assert!(
        !about(&without, "NET-003") && !about(&without, "PATH-001"),
        "{without:?}"
    );
}
