//! The end-of-report summary: findings per severity, waived findings, and
//! per zone its SL-T next to the weakest conduit into it.
//!
//! The weakest conduit into a zone is the one with the lowest restricted
//! data flow level on its far side: the conduit's own SL-T(RDF) when it
//! declares one, else the lowest SL-T(RDF) of the zones that can open
//! connections into the zone through it (an external zone counts as 0).
//! Ties go to the conduit name first in order.

use super::{Finding, Status};
use crate::diagnostics::Severity;
use crate::model::{Date, Fr, Model, SlVector, ZoneId};

/// Totals and the per-zone table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
    pub zones: Vec<ZoneSummary>,
}

/// One zone's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSummary {
    pub zone: String,
    pub sl: Option<SlVector>,
    /// `(conduit, far-side zone, SL-T(RDF) of the far side)`.
    pub weakest: Option<(String, String, u8)>,
    /// Active findings about this zone or a conduit into it.
    pub active_findings: usize,
}

pub fn summarise(model: &Model, findings: &[Finding], as_of: Date) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        match (f.status, f.severity()) {
            (Status::Waived, _) => s.waived += 1,
            (Status::Active, Severity::Error) => s.errors += 1,
            (Status::Active, Severity::Warning) => s.warnings += 1,
            (Status::Active, Severity::Info) => s.infos += 1,
        }
    }
    s.zones = model
        .zone_ids()
        .map(|id| zone_row(model, findings, id, as_of))
        .collect();
    s
}

fn zone_row(model: &Model, findings: &[Finding], id: ZoneId, as_of: Date) -> ZoneSummary {
    let zone = model.zone(id);
    let mut weakest: Option<(u8, String, String)> = None;
    let mut into = Vec::new();
    for cid in model.conduit_ids() {
        let c = model.conduit(cid);
        if c.expired_at(as_of) {
            continue;
        }
        let far = c
            .flows()
            .into_iter()
            .filter(|(a, b)| b.zone == id && a.zone != id)
            .map(|(a, _)| {
                (
                    model.zone(a.zone).sl_of(Fr::Rdf),
                    model.zone(a.zone).name.clone(),
                )
            })
            .min();
        let Some((far_level, far_name)) = far else {
            continue;
        };
        into.push(cid);
        let level = c.sl.as_ref().map_or(far_level, |s| s.value.get(Fr::Rdf));
        let cand = (level, c.name.clone(), far_name);
        if weakest
            .as_ref()
            .is_none_or(|w| (cand.0, &cand.1) < (w.0, &w.1))
        {
            weakest = Some(cand);
        }
    }
    let active_findings = findings
        .iter()
        .filter(|f| f.status == Status::Active)
        .filter(|f| match f.subject {
            super::Subject::Zone(z) => z == id,
            super::Subject::Conduit(c) => into.contains(&c),
            super::Subject::Waiver(_) => false,
        })
        .count();
    ZoneSummary {
        zone: zone.name.clone(),
        sl: zone.sl.as_ref().map(|s| s.value),
        weakest: weakest.map(|(l, c, f)| (c, f, l)),
        active_findings,
    }
}
