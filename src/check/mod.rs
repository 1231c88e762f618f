//! IEC 62443 rule engine: lints a resolved [`Model`] against the rule pack.
//!
//! [`run`] evaluates every enabled rule of the embedded pack
//! (`policies/rules.yaml`) over the model, sets each finding's severity
//! (default, escalated by the SL-T of the zone the rule protects, or
//! overridden by the project configuration), then applies the policy's
//! waivers as of a given date. Each family of rules lives in its own file;
//! [`registry`] joins rule IDs to their functions and metadata.
//!
//! Invariants: the engine never prints and never reads the clock (`as_of`
//! is a parameter); findings come out in a stable order that does not
//! depend on the order of declarations (messages name zones and conduits,
//! never positions); a finding of a non-waivable rule is never waived.

mod bnd;
pub mod config;
mod doc;
pub mod docs;
mod net;
mod path;
mod pro;
mod ra;
pub mod registry;
mod seg;
mod sl;
mod summary;
mod util;
mod waivers;

#[cfg(test)]
mod tests;

pub use config::{ConfigError, RuleConfig};
pub use registry::{pack, Pack, RuleMeta, Thresholds};
pub use summary::{Summary, ZoneSummary};

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::{ConduitId, Date, Fr, Model, ZoneId};
use std::collections::BTreeSet;

/// What a finding is about; waivers match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Zone(ZoneId),
    Conduit(ConduitId),
    /// A waiver (index into `Model::waivers`), for WVR-* findings.
    Waiver(usize),
}

/// Whether a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Active,
    /// Accepted by a valid waiver; reported and counted, never failing.
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Waived => "waived",
        }
    }
}

/// One rule violation: a diagnostic (code = rule ID) plus rule metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    pub subject: Subject,
    /// `zone NAME`, `conduit NAME` or `waiver RULE on …`.
    pub subject_name: String,
    pub status: Status,
    /// Index of the waiver that waives it.
    pub waived_by: Option<usize>,
    pub title: String,
    pub clause: String,
    /// The foundational requirements the rule's severity follows.
    pub frs: Vec<Fr>,
}

impl Finding {
    pub fn rule(&self) -> &str {
        &self.diagnostic.code
    }

    pub fn severity(&self) -> Severity {
        self.diagnostic.severity
    }

    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}

/// The result of [`run`].
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Every finding, active and waived, in stable order.
    pub findings: Vec<Finding>,
    /// Problems that are not rule findings (waiver naming an unknown rule,
    /// broken rule pack).
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Header span of each waiver of the model (`Finding::waived_by` indexes it).
    pub waiver_spans: Vec<crate::source::Span>,
}

impl CheckReport {
    /// Active findings at `severity` exactly.
    pub fn count_active(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is_active() && f.severity() == severity)
            .count()
    }

    pub fn count_waived(&self) -> usize {
        self.findings.iter().filter(|f| !f.is_active()).count()
    }

    /// Whether the report fails a build: an active error (or warning, with
    /// `deny_warnings`), or an error diagnostic.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        let bad = |s: Severity| s == Severity::Error || (deny_warnings && s == Severity::Warning);
        self.findings
            .iter()
            .any(|f| f.is_active() && bad(f.severity()))
            || self.diagnostics.iter().any(|d| bad(d.severity))
    }
}

/// A raw violation reported by a rule function, before severity and waivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub subject: Subject,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    /// Zones whose SL-T drives escalation (the zones the rule protects).
    pub protected: Vec<ZoneId>,
    /// A severity the rule's own condition decides (e.g. PRO-003 from IT),
    /// used instead of the escalated default.
    pub severity: Option<Severity>,
    /// Extra help in front of the rule's fix hint.
    pub note: Option<String>,
}

impl Hit {
    pub fn new(subject: Subject, message: impl Into<String>, primary: Label) -> Hit {
        Hit {
            subject,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            protected: Vec::new(),
            severity: None,
            note: None,
        }
    }

    pub fn label(mut self, label: Label) -> Hit {
        self.secondary.push(label);
        self
    }

    pub fn labels(mut self, labels: impl IntoIterator<Item = Label>) -> Hit {
        self.secondary.extend(labels);
        self
    }

    pub fn protects(mut self, zones: impl IntoIterator<Item = ZoneId>) -> Hit {
        self.protected.extend(zones);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Hit {
        self.note = Some(note.into());
        self
    }
}

/// What rule functions see: the model, thresholds and the date.
pub struct Ctx<'m> {
    pub model: &'m Model,
    pub thresholds: Thresholds,
    pub as_of: Date,
    /// Per jump-host asset: the controls every remote-access conduit ending
    /// on it declares (computed once; see `util::effective_controls`).
    pub jump_controls:
        std::collections::BTreeMap<crate::model::AssetId, BTreeSet<crate::model::Control>>,
    /// The attack model shared with `blast`, built on first use by a PATH rule.
    pub attack: std::cell::OnceCell<crate::graph::Attack>,
}

/// Runs every enabled rule over `model` and applies waivers as of `as_of`.
///
/// `model` must come from a load without errors.
pub fn run(model: &Model, config: &RuleConfig, as_of: Date) -> CheckReport {
    let pack = match registry::pack() {
        Ok(p) => p,
        Err(msg) => {
            return CheckReport {
                diagnostics: vec![Diagnostic::error("E0601", msg)],
                ..CheckReport::default()
            }
        }
    };
    let mut ctx = Ctx {
        model,
        thresholds: config.thresholds(pack),
        as_of,
        jump_controls: Default::default(),
        attack: Default::default(),
    };
    ctx.jump_controls = util::jump_controls(&ctx);
    let mut findings = Vec::new();
    for meta in &pack.rules {
        let Some(check) = registry::check_fn(&meta.id) else {
            continue;
        };
        if !config.enabled(&meta.id) {
            continue;
        }
        for hit in check(&ctx) {
            findings.push(finish(&ctx, meta, config, hit));
        }
    }
    let mut diagnostics = Vec::new();
    waivers::apply(&ctx, pack, config, &mut findings, &mut diagnostics);
    // What the rule plan knows (expiry, empty and overlapping conduits):
    // `check` reports it, so that it is the one gate of a change.
    diagnostics.extend(crate::compile::overlap::lifecycle(
        model,
        as_of,
        config.expiry_warning_days(),
    ));
    findings.sort_by_key(finding_key);
    findings.dedup();
    let summary = summary::summarise(model, &findings, as_of);
    CheckReport {
        findings,
        diagnostics,
        summary,
        waiver_spans: model.waivers.iter().map(|w| w.span).collect(),
    }
}

/// Stable order: position, then rule, then message.
fn finding_key(f: &Finding) -> (Option<crate::source::Span>, String, String) {
    f.diagnostic.sort_key()
}

/// Turns a hit into a finding: severity, help, metadata.
fn finish(ctx: &Ctx<'_>, meta: &RuleMeta, config: &RuleConfig, hit: Hit) -> Finding {
    let frs = meta
        .escalate
        .as_ref()
        .map(registry::Escalation::fr_list)
        .unwrap_or_default();
    let severity = config
        .severity_override(&meta.id)
        .or(hit.severity)
        .unwrap_or_else(|| escalated(ctx.model, meta, &hit.protected));
    let help = match &hit.note {
        Some(n) => format!("{n}. {}", meta.fix.trim()),
        None => meta.fix.trim().to_string(),
    };
    let mut diagnostic = Diagnostic::new(&meta.id, severity, hit.message)
        .at(hit.primary.span, hit.primary.text)
        .with_help(help);
    diagnostic.secondary = hit.secondary;
    Finding {
        subject_name: util::subject_name(ctx.model, hit.subject),
        diagnostic,
        subject: hit.subject,
        status: Status::Active,
        waived_by: None,
        title: meta.title.clone(),
        clause: meta.clause.clone(),
        frs,
    }
}

/// Default severity, raised when a protected zone's SL-T reaches the
/// escalation level on one of the rule's FRs.
fn escalated(model: &Model, meta: &RuleMeta, protected: &[ZoneId]) -> Severity {
    let base = meta.severity.severity();
    let Some(esc) = &meta.escalate else {
        return base;
    };
    let frs = esc.fr_list();
    let level = protected
        .iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .flat_map(|z| frs.iter().map(move |fr| model.zone(*z).sl_of(*fr)))
        .max()
        .unwrap_or(0);
    if level >= esc.at {
        base.max(esc.to.severity())
    } else {
        base
    }
}
