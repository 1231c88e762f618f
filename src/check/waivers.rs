//! Waivers: documented, risk-based decisions that accept one rule's
//! finding on one zone or conduit (IEC 62443-3-2 ZCR 5.10-5.12, 7.1;
//! 3-3 §4.3 compensating countermeasures).
//!
//! A complete, unexpired waiver turns the matching findings' status to
//! `waived` (still reported and counted). Meta-rules: WVR-001 expired
//! waiver whose finding is therefore active again, WVR-002 incomplete
//! waiver (does not waive), WVR-003 waiver that matches nothing — expired
//! or not (info) — or names a rule that cannot be waived (error). A waiver expires at the start of its
//! `expires` day, judged against `as_of`, like a conduit's access.

use super::registry::Pack;
use super::{finish, Ctx, Finding, Hit, RuleConfig, Status, Subject};
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::{Waiver, WaiverKind, WaiverTarget};

/// Applies every waiver of the model to `findings`, adding WVR findings and
/// unknown-rule diagnostics.
pub fn apply(
    ctx: &Ctx<'_>,
    pack: &Pack,
    config: &RuleConfig,
    findings: &mut Vec<Finding>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut meta_hits: Vec<(&str, Hit)> = Vec::new();
    for (i, w) in ctx.model.waivers.iter().enumerate() {
        let Some(meta) = pack.rule(&w.rule.value) else {
            diagnostics.push(
                Diagnostic::error(
                    "E0213",
                    format!("waiver names unknown rule `{}`", w.rule.value),
                )
                .at(w.rule.span, "not a rule of the rule pack")
                .with_help("run `conduit explain` for the list of rules"),
            );
            continue;
        };
        if !config.enabled(&meta.id) {
            continue;
        }
        let hit = |msg: String, label: &str| {
            Hit::new(
                Subject::Waiver(i),
                msg,
                Label::new(w.span, label.to_string()),
            )
            .label(Label::new(w.rule.span, format!("rule {}", meta.id)))
        };
        if !meta.waivable {
            let msg = format!(
                "rule {} checks model integrity and cannot be waived",
                meta.id
            );
            meta_hits.push((
                "WVR-003",
                hit(msg, "illegal waiver").severity(Severity::Error),
            ));
            continue;
        }
        let target = subject_of(w);
        let matches: Vec<usize> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.rule() == meta.id && f.subject == target)
            .map(|(n, _)| n)
            .collect();
        let missing = missing_fields(w);
        let expired = w.expires.as_ref().filter(|e| e.value <= ctx.as_of);
        if !missing.is_empty() {
            let msg = format!("waiver of {} lacks {}", meta.id, missing.join(", "));
            meta_hits.push(("WVR-002", hit(msg, "incomplete waiver")));
        } else if let Some(e) = expired.filter(|_| !matches.is_empty()) {
            let msg = format!(
                "waiver of {} expired on {}; its finding is active again",
                meta.id, e.value
            );
            meta_hits.push((
                "WVR-001",
                hit(msg, "expired waiver").label(Label::new(e.span, "expiry")),
            ));
        } else if expired.is_none() {
            for n in &matches {
                if let Some(f) = findings.get_mut(*n) {
                    if f.status == Status::Active {
                        f.status = Status::Waived;
                        f.waived_by = Some(i);
                    }
                }
            }
        }
        if matches.is_empty() {
            let msg = format!("waiver of {} matches no finding", meta.id);
            meta_hits.push(("WVR-003", hit(msg, "stale waiver").severity(Severity::Info)));
        }
    }
    for (id, hit) in meta_hits {
        if !config.enabled(id) {
            continue;
        }
        if let Some(meta) = pack.rule(id) {
            findings.push(finish(ctx, meta, config, hit));
        }
    }
}

fn subject_of(w: &Waiver) -> Subject {
    match w.target {
        WaiverTarget::Zone(z) => Subject::Zone(z),
        WaiverTarget::Conduit(c) => Subject::Conduit(c),
    }
}

/// Required attributes a waiver lacks, in the words of the language.
fn missing_fields(w: &Waiver) -> Vec<&'static str> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|t| t.trim().is_empty());
    let mut out = Vec::new();
    if w.kind.is_none() {
        out.push("kind");
    }
    if blank(&w.justification) {
        out.push("justification");
    }
    if blank(&w.approved_by) {
        out.push("approved-by");
    }
    if w.expires.is_none() {
        out.push("expires");
    }
    if w.kind == Some(WaiverKind::Compensating) && blank(&w.compensating) {
        out.push("compensating");
    }
    out
}
