//! Everything `conduit diff` compares besides flows: findings, exposure
//! and blast radius per OT zone, SL-T per zone, waivers. One [`Side`] per
//! policy, then [`DiffReport::new`] compares them.

use super::flows::{self, FlowDiff, FlowSet};
use crate::check::{self, CheckReport, RuleConfig};
use crate::graph::{self, BlastOptions, BlastReport, Grade};
use crate::model::{Date, Model, WaiverTarget, ZoneClass};
use crate::source::SourceMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One policy, analysed.
pub struct Side<'a> {
    /// Files under this directory are shown relative to it, after
    /// `label` (a git revision exported to a temporary directory).
    pub relabel: Option<(PathBuf, String)>,
    pub model: &'a Model,
    pub sources: &'a SourceMap,
    pub flows: FlowSet,
    pub check: CheckReport,
    pub blast: BlastReport,
}

impl<'a> Side<'a> {
    pub fn new(model: &'a Model, sources: &'a SourceMap, config: &RuleConfig, as_of: Date) -> Self {
        let blast = graph::analyze(
            model,
            &BlastOptions {
                as_of: Some(as_of),
                ..BlastOptions::default()
            },
        );
        Side {
            relabel: None,
            model,
            sources,
            flows: flows::flows(model, as_of),
            check: check::run(model, config, as_of),
            blast,
        }
    }
}

/// An active finding, identified by code, subject and message (spans
/// differ between the two sides and are not part of its identity).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingRef {
    pub severity: String,
    pub code: String,
    pub subject: String,
    pub message: String,
    /// `file:line` on its side.
    pub location: Option<String>,
}

/// Blast radius change of one OT or safety zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneBlast {
    pub zone: String,
    pub safety: bool,
    pub before: Option<Grade>,
    pub after: Option<Grade>,
}

impl ZoneBlast {
    pub fn worse(&self) -> bool {
        self.after > self.before
    }
}

/// SL-T of a zone before and after (`None`: no zone, or no SL-T).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlChange {
    pub zone: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A waiver by rule and target: `PRO-003 on conduit vendor-to-plc`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WaiverRef {
    pub rule: String,
    pub target: String,
    pub expires: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct WaiverChanges {
    pub added: Vec<WaiverRef>,
    pub removed: Vec<WaiverRef>,
    /// Expired at the as-of date in the new policy, not in the old one.
    pub expired: Vec<WaiverRef>,
}

/// Exposure: OT asset weight reached from IT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exposure {
    pub reached: u32,
    pub total: u32,
}

impl Exposure {
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * f64::from(self.reached) / f64::from(self.total)
        }
    }

    /// Whether `self` exposes a larger share than `other` (exact).
    pub fn above(self, other: Exposure) -> bool {
        u64::from(self.reached) * u64::from(other.total.max(1))
            > u64::from(other.reached) * u64::from(self.total.max(1))
    }
}

/// The whole comparison.
pub struct DiffReport {
    pub as_of: Date,
    pub flows: FlowDiff,
    pub new_findings: Vec<FindingRef>,
    pub fixed_findings: Vec<FindingRef>,
    pub exposure_before: Exposure,
    pub exposure_after: Exposure,
    /// Safety zones first, then worsened, then by name.
    pub blast: Vec<ZoneBlast>,
    pub sl: Vec<SlChange>,
    pub waivers: WaiverChanges,
}

impl DiffReport {
    pub fn new(old: &Side<'_>, new: &Side<'_>, as_of: Date) -> DiffReport {
        let (new_findings, fixed_findings) = findings(old, new);
        let exposure = |s: &Side<'_>| Exposure {
            reached: s.blast.exposure.reached_weight,
            total: s.blast.exposure.total_weight,
        };
        DiffReport {
            as_of,
            flows: flows::diff(&old.flows, &new.flows),
            new_findings,
            fixed_findings,
            exposure_before: exposure(old),
            exposure_after: exposure(new),
            blast: blast(old, new),
            sl: sl(old.model, new.model),
            waivers: waivers(old.model, new.model, as_of),
        }
    }

    pub fn safety_worse(&self) -> bool {
        self.blast.iter().any(|b| b.safety && b.worse())
    }

    pub fn exposure_increased(&self) -> bool {
        self.exposure_after.above(self.exposure_before)
    }

    /// "opens 2 flows into line1, closes 1; exposure 60.0% -> 70.0%; 1 new error".
    pub fn summary(&self) -> String {
        let f = &self.flows;
        let mut parts = Vec::new();
        let mut flow_part = Vec::new();
        if !f.opened.is_empty() {
            let into: BTreeSet<&str> = f.opened.iter().map(|c| c.base.to.zone.as_str()).collect();
            let mut names: Vec<&str> = into.iter().copied().take(3).collect();
            let more = into.len().saturating_sub(names.len());
            let extra = format!("{more} more zones");
            if more > 0 {
                names.push(&extra);
            }
            flow_part.push(format!(
                "opens {} flow{} into {}",
                f.opened.len(),
                plural(f.opened.len()),
                names.join(", ")
            ));
        }
        if !f.closed.is_empty() {
            flow_part.push(format!("closes {}", f.closed.len()));
        }
        if !f.changed.is_empty() {
            flow_part.push(format!(
                "changes the window or expiry of {}",
                f.changed.len()
            ));
        }
        if !flow_part.is_empty() {
            parts.push(flow_part.join(", "));
        }
        if self.exposure_before != self.exposure_after {
            parts.push(format!(
                "exposure {:.1}% -> {:.1}%",
                self.exposure_before.percent(),
                self.exposure_after.percent()
            ));
        }
        let newly_safety = self.blast.iter().filter(|b| b.safety && b.worse()).count();
        if newly_safety > 0 {
            parts.push(format!("{newly_safety} safety zone(s) more exposed"));
        }
        let mut findings = Vec::new();
        for sev in ["error", "warning", "info"] {
            let n = self
                .new_findings
                .iter()
                .filter(|x| x.severity == sev)
                .count();
            if n > 0 {
                findings.push(format!("{n} new {sev}{}", plural(n)));
            }
        }
        if !self.fixed_findings.is_empty() {
            findings.push(format!("{} fixed", self.fixed_findings.len()));
        }
        if !findings.is_empty() {
            parts.push(findings.join(", "));
        }
        if parts.is_empty() {
            "no change in allowed flows, findings or exposure".to_string()
        } else {
            parts.join("; ")
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn finding_refs(side: &Side<'_>) -> Vec<FindingRef> {
    side.check
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| {
            let d = &f.diagnostic;
            let location = d.primary.as_ref().map(|l| {
                let lc = side.sources.line_col(l.span);
                let name = side.sources.name(l.span.file);
                let name = match &side.relabel {
                    Some((dir, label)) => Path::new(name)
                        .strip_prefix(dir)
                        .map_or_else(|_| name.to_string(), |p| format!("{label}:{}", p.display())),
                    None => name.to_string(),
                };
                format!("{name}:{}", lc.line)
            });
            FindingRef {
                severity: d.severity.as_str().to_string(),
                code: d.code.clone(),
                subject: f.subject_name.clone(),
                message: d.message.clone(),
                location,
            }
        })
        .collect()
}

/// Active findings only in `new` (new) and only in `old` (fixed), counted
/// as multisets of (severity, code, subject, message).
fn findings(old: &Side<'_>, new: &Side<'_>) -> (Vec<FindingRef>, Vec<FindingRef>) {
    let key = |f: &FindingRef| {
        (
            f.severity.clone(),
            f.code.clone(),
            f.subject.clone(),
            f.message.clone(),
        )
    };
    let only = |a: &[FindingRef], b: &[FindingRef]| {
        let mut count: BTreeMap<_, usize> = BTreeMap::new();
        for f in b {
            *count.entry(key(f)).or_default() += 1;
        }
        let mut out = Vec::new();
        for f in a {
            match count.get_mut(&key(f)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => out.push(f.clone()),
            }
        }
        out.sort_by(|x, y| {
            let rank = |s: &str| match s {
                "error" => 0,
                "warning" => 1,
                _ => 2,
            };
            (rank(&x.severity), &x.code, &x.subject, &x.message).cmp(&(
                rank(&y.severity),
                &y.code,
                &y.subject,
                &y.message,
            ))
        });
        out
    };
    let (o, n) = (finding_refs(old), finding_refs(new));
    (only(&n, &o), only(&o, &n))
}

/// Grade per OT and safety zone name, with whether it is a safety zone.
fn ot_grades(side: &Side<'_>) -> BTreeMap<String, (bool, Option<Grade>)> {
    let mut out = BTreeMap::new();
    for (i, zone) in side.model.zones.iter().enumerate() {
        if !zone.class.is_ot_side() {
            continue;
        }
        let id = crate::model::ZoneId(u32::try_from(i).unwrap_or(u32::MAX));
        let grade = side.blast.zone(id).map(|r| r.grade);
        out.insert(zone.name.clone(), (zone.class == ZoneClass::Safety, grade));
    }
    out
}

fn blast(old: &Side<'_>, new: &Side<'_>) -> Vec<ZoneBlast> {
    let (o, n) = (ot_grades(old), ot_grades(new));
    let names: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let mut out: Vec<ZoneBlast> = names
        .into_iter()
        .filter_map(|name| {
            let (so, before) = o.get(name).copied().unwrap_or((false, None));
            let (sn, after) = n.get(name).copied().unwrap_or((false, None));
            (before != after).then(|| ZoneBlast {
                zone: name.clone(),
                safety: so || sn,
                before,
                after,
            })
        })
        .collect();
    out.sort_by(|a, b| (!a.safety, !a.worse(), &a.zone).cmp(&(!b.safety, !b.worse(), &b.zone)));
    out
}

fn sl(old: &Model, new: &Model) -> Vec<SlChange> {
    let of = |m: &Model| -> BTreeMap<String, Option<String>> {
        m.zones
            .iter()
            .map(|z| (z.name.clone(), z.sl.as_ref().map(|s| s.value.to_string())))
            .collect()
    };
    let (o, n) = (of(old), of(new));
    let names: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let before = o.get(name).cloned().flatten();
            let after = n.get(name).cloned().flatten();
            (before != after).then(|| SlChange {
                zone: name.clone(),
                before,
                after,
            })
        })
        .collect()
}

fn waiver_refs(model: &Model) -> Vec<WaiverRef> {
    let mut out: Vec<WaiverRef> = model
        .waivers
        .iter()
        .map(|w| WaiverRef {
            rule: w.rule.value.clone(),
            target: match w.target {
                WaiverTarget::Zone(z) => format!("zone {}", model.zone(z).name),
                WaiverTarget::Conduit(c) => format!("conduit {}", model.conduit(c).name),
            },
            expires: w.expires.as_ref().map(|e| e.value),
        })
        .collect();
    out.sort();
    out
}

fn waivers(old: &Model, new: &Model, as_of: Date) -> WaiverChanges {
    let (o, n) = (waiver_refs(old), waiver_refs(new));
    let id = |w: &WaiverRef| (w.rule.clone(), w.target.clone());
    let ids = |v: &[WaiverRef]| v.iter().map(id).collect::<BTreeSet<_>>();
    let (oi, ni) = (ids(&o), ids(&n));
    let expired = |w: &WaiverRef| w.expires.is_some_and(|e| e <= as_of);
    let old_expired: BTreeSet<_> = o.iter().filter(|w| expired(w)).map(id).collect();
    WaiverChanges {
        added: n.iter().filter(|w| !oi.contains(&id(w))).cloned().collect(),
        removed: o.iter().filter(|w| !ni.contains(&id(w))).cloned().collect(),
        expired: n
            .iter()
            .filter(|w| expired(w) && oi.contains(&id(w)) && !old_expired.contains(&id(w)))
            .cloned()
            .collect(),
    }
}
