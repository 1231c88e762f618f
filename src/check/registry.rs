//! The rule pack: metadata of every rule (`policies/rules.yaml`, embedded)
//! joined to the function that checks it.
//!
//! The YAML is the single source of each rule's title, default severity,
//! escalation, clause, fix hint and documentation; `conduit explain` and
//! `docs/rules/*.md` are both rendered from it. [`CHECKS`] is the table of
//! rule functions, one row per rule (one line per code); a unit test
//! keeps the two in step.

use super::{bnd, doc, net, path, pro, ra, seg, sl, Ctx, Hit};
use crate::diagnostics::Severity;
use crate::model::Fr;
use serde::Deserialize;
use std::sync::OnceLock;

/// The embedded rule pack.
pub const PACK_TEXT: &str = include_str!("../../policies/rules.yaml");

/// A rule function: every violation in the model.
pub type CheckFn = fn(&Ctx<'_>) -> Vec<Hit>;

/// Rule ID → check function. WVR-* are applied by the waiver pass.
pub const CHECKS: &[(&str, CheckFn)] = &[
    ("DOC-001", doc::doc_001),
    ("DOC-002", doc::doc_002),
    ("DOC-003", doc::doc_003),
    ("NET-002", net::net_002),
    ("NET-003", net::net_003),
    ("SEG-001", seg::seg_001),
    ("SEG-002", seg::seg_002),
    ("SEG-003", seg::seg_003),
    ("SEG-004", seg::seg_004),
    ("SEG-005", seg::seg_005),
    ("SEG-006", seg::seg_006),
    ("SEG-007", seg::seg_007),
    ("SEG-008", seg::seg_008),
    ("SEG-009", seg::seg_009),
    ("SEG-010", seg::seg_010),
    ("SEG-011", seg::seg_011),
    ("SEG-012", seg::seg_012),
    ("BND-001", bnd::bnd_001),
    ("BND-002", bnd::bnd_002),
    ("BND-003", bnd::bnd_003),
    ("BND-005", bnd::bnd_005),
    ("BND-006", bnd::bnd_006),
    ("BND-007", bnd::bnd_007),
    ("BND-008", bnd::bnd_008),
    ("PRO-001", pro::pro_001),
    ("PRO-002", pro::pro_002),
    ("PRO-003", pro::pro_003),
    ("PRO-005", pro::pro_005),
    ("RA-001", ra::ra_001),
    ("RA-002", ra::ra_002),
    ("RA-003", ra::ra_003),
    ("RA-004", ra::ra_004),
    ("RA-005", ra::ra_005),
    ("SL-001", sl::sl_001),
    ("SL-003", sl::sl_003),
    ("SL-004", sl::sl_004),
    ("PATH-001", path::path_001),
    ("PATH-002", path::path_002),
    ("DOC-006", doc::doc_006),
    ("DOC-007", doc::doc_007),
    ("PATH-004", path::path_004),
    ("PATH-005", path::path_005),
];

/// Severity as written in YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Info,
    Warning,
    Error,
}

impl SeverityName {
    pub fn severity(self) -> Severity {
        match self {
            SeverityName::Info => Severity::Info,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Error => Severity::Error,
        }
    }
}

/// "Becomes `to` when the protected zone's SL-T on one of `frs` is at least `at`."
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// FR keywords (`iac` … `ra`), or `any` for the highest of the seven.
    pub frs: Vec<String>,
    pub at: u8,
    pub to: SeverityName,
}

impl Escalation {
    /// The FRs this escalation looks at (all seven for `any`).
    pub fn fr_list(&self) -> Vec<Fr> {
        if self.frs.iter().any(|f| f == "any") {
            return Fr::ALL.to_vec();
        }
        self.frs.iter().filter_map(|f| Fr::parse(f)).collect()
    }
}

/// One rule's metadata and documentation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: SeverityName,
    #[serde(default)]
    pub escalate: Option<Escalation>,
    #[serde(default = "yes")]
    pub waivable: bool,
    /// The IEC 62443 (or guidance) clause the rule derives from.
    pub clause: String,
    /// Exact condition over the policy model.
    pub what: String,
    pub why: String,
    /// How the catalog condition maps onto the language, where it differs.
    #[serde(default)]
    pub mapping: Option<String>,
    /// A policy fragment that triggers the rule.
    pub example: String,
    pub fix: String,
}

fn yes() -> bool {
    true
}

/// Default thresholds, tunable per project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Thresholds {
    /// BND-001: widest port range (in ports) allowed in one service line.
    pub max_port_range: u32,
    /// PATH-002: fewest conduits between an IT zone and a control zone.
    pub min_hops: u32,
    /// RA-003: the furthest an `expires` date of remote access may lie
    /// ahead of the check date, in days, to count as a bounded window.
    pub max_remote_window_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[allow(dead_code)]
    version: u32,
    thresholds: Thresholds,
    rules: Vec<RuleMeta>,
}

/// The parsed rule pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub thresholds: Thresholds,
    /// In pack order (family by family).
    pub rules: Vec<RuleMeta>,
}

impl Pack {
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The embedded pack, parsed once. An error here is a build defect caught
/// by the unit tests; it is still reported, not panicked on.
pub fn pack() -> Result<&'static Pack, String> {
    static PACK: OnceLock<Result<Pack, String>> = OnceLock::new();
    PACK.get_or_init(|| {
        crate::yaml::from_str::<PackFile>(PACK_TEXT)
            .map(|p| Pack {
                thresholds: p.thresholds,
                rules: p.rules,
            })
            .map_err(|e| format!("built-in rule pack policies/rules.yaml: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The check function of a rule, if it has one (WVR-* have none).
pub fn check_fn(id: &str) -> Option<CheckFn> {
    CHECKS.iter().find(|(r, _)| *r == id).map(|(_, f)| *f)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn pack_parses_and_matches_the_check_table() {
        let pack = pack().unwrap();
        for (id, _) in CHECKS {
            assert!(pack.rule(id).is_some(), "{id} has a check but no metadata");
        }
        for r in &pack.rules {
            let is_meta = r.id.starts_with("WVR-");
            assert_eq!(
                check_fn(&r.id).is_some(),
                !is_meta,
                "{} metadata without check",
                r.id
            );
            if let Some(e) = &r.escalate {
                assert!(!e.fr_list().is_empty(), "{}: bad FR in escalation", r.id);
                assert_eq!(
                    e.fr_list().len(),
                    e.frs.len().max(if e.frs.iter().any(|f| f == "any") {
                        7
                    } else {
                        0
                    }),
                    "{}",
                    r.id
                );
            }
        }
        let mut ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), pack.rules.len(), "duplicate rule id");
    }
}
