//! Engine mechanics: severity precedence, waivers against `as_of`,
//! non-waivable rules, disabled rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::{run, RuleConfig, Status};
use crate::diagnostics::Severity;
use crate::model::Date;

const PLANT: &str = r#"
zone outside {
    class external
    network 0.0.0.0/0
    asset box 10.20.0.99
}
zone corp { purdue 4; sl 1; owner "IT"; network 10.10.0.0/16; asset pc 10.10.0.5 }
zone dmz { purdue 3.5; sl 3; owner "OT"; network 10.20.0.0/24 }
zone cell { purdue 1; sl 2; owner "Ops"; network 10.40.0.0/24; asset plc 10.40.0.10 { role plc } }
conduit orders {
    corp.pc -> cell.plc
    allow modbus
    justification "Set points"
}
waive PRO-003 on conduit orders {
    kind risk-acceptance
    justification "Planned removal"
    approved-by "J. Meyer, plant manager, 2026-01-10"
    expires 2027-01-01
}
waive NET-002 on zone outside {
    kind risk-acceptance
    justification "Vendor box"
    approved-by "J. Meyer, plant manager, 2026-01-10"
    expires 2027-01-01
}
"#;

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn find<'r>(report: &'r super::CheckReport, rule: &str) -> Vec<&'r super::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule() == rule)
        .collect()
}

fn load() -> crate::load::Loaded {
    let loaded = crate::load::load_str("plant.zc", PLANT);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded
}

#[test]
fn rule_condition_and_config_decide_severity_in_that_order() {
    let loaded = load();
    let report = run(&loaded.model, &RuleConfig::default(), date("2026-11-28"));
    let pro3 = find(&report, "PRO-003");
    assert_eq!(pro3.len(), 1);
    assert_eq!(pro3[0].severity(), Severity::Error, "from the IT side");
    assert_eq!(pro3[0].status, Status::Waived);
    let pack = super::pack().unwrap();
    let cfg = RuleConfig::parse("severity:\n  PRO-003: info\n", pack).unwrap();
    let report = run(&loaded.model, &cfg, date("2026-11-28"));
    assert_eq!(find(&report, "PRO-003")[0].severity(), Severity::Info);
}

#[test]
fn waivers_expire_at_the_start_of_their_day() {
    let loaded = load();
    let before = run(&loaded.model, &RuleConfig::default(), date("2026-12-31"));
    assert_eq!(find(&before, "PRO-003")[0].status, Status::Waived);
    assert!(find(&before, "WVR-001").is_empty());
    let on = run(&loaded.model, &RuleConfig::default(), date("2027-01-01"));
    assert_eq!(find(&on, "PRO-003")[0].status, Status::Active);
    assert_eq!(find(&on, "WVR-001").len(), 1);
    assert!(on.fails(false));
}

#[test]
fn model_integrity_findings_cannot_be_waived() {
    let loaded = load();
    let report = run(&loaded.model, &RuleConfig::default(), date("2026-11-28"));
    let net = find(&report, "NET-002");
    assert_eq!(net.len(), 1);
    assert_eq!(net[0].status, Status::Active);
    let illegal = find(&report, "WVR-003");
    assert_eq!(illegal.len(), 1);
    assert_eq!(illegal[0].severity(), Severity::Error);
}

#[test]
fn a_disabled_rule_neither_fires_nor_makes_its_waivers_stale() {
    let loaded = load();
    let mut cfg = RuleConfig::default();
    cfg.disable("PRO-003");
    let report = run(&loaded.model, &cfg, date("2026-11-28"));
    assert!(find(&report, "PRO-003").is_empty());
    assert!(find(&report, "WVR-003")
        .iter()
        .all(|f| !f.diagnostic.message.contains("PRO-003")));
}

#[test]
fn unknown_rule_in_a_waiver_is_reported() {
    let text = format!("{PLANT}\nwaive XYZ-001 on zone corp {{ kind false-positive; justification \"x\"; approved-by \"y\"; expires 2027-01-01 }}\n");
    let loaded = crate::load::load_str("plant.zc", &text);
    let report = run(&loaded.model, &RuleConfig::default(), date("2026-11-28"));
    let unknown: Vec<_> = loaded
        .diagnostics
        .iter()
        .chain(&report.diagnostics)
        .filter(|d| d.code == "E0213")
        .collect();
    assert_eq!(unknown.len(), 1, "{:#?}", loaded.diagnostics);
}
