//! The end-of-report summary: findings per severity, waived findings, and
//! per zone its SL-T next to the weakest conduit into it.
//!
//! The weakest conduit into a zone is the one with the lowest restricted
//! data flow level on its far side: the conduit's own SL-T(RDF) when it
//! declares one, else the lowest SL-T(RDF) of the zones that can open
//! connections into the zone through it (an external zone counts as 0).
//! Ties go to the conduit name first in order.

use super::{Finding, Status, Subject};
use crate::diagnostics::Severity;
use crate::model::{Date, Fr, Model, SlVector, ZoneId};
use std::collections::BTreeMap;

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
    // One pass over the conduits: the zones each conduit leads into, and
    // the weakest conduit into each zone.
    let n = model.zones.len();
    let mut into: Vec<Vec<ZoneId>> = vec![Vec::new(); model.conduits.len()];
    let mut weakest: Vec<Option<(u8, String, String)>> = vec![None; n];
    for cid in model.conduit_ids() {
        let c = model.conduit(cid);
        if c.expired_at(as_of) {
            continue;
        }
        let mut far: BTreeMap<ZoneId, (u8, String)> = BTreeMap::new();
        for (a, b) in c.flows() {
            if a.zone == b.zone {
                continue;
            }
            let za = model.zone(a.zone);
            let cand = (za.sl_of(Fr::Rdf), za.name.clone());
            let slot = far.entry(b.zone).or_insert_with(|| cand.clone());
            if cand < *slot {
                *slot = cand;
            }
        }
        for (zone, (far_level, far_name)) in far {
            let i = zone.0 as usize;
            if let Some(list) = into.get_mut(cid.0 as usize) {
                list.push(zone);
            }
            let level = c.sl.as_ref().map_or(far_level, |s| s.value.get(Fr::Rdf));
            let cand = (level, c.name.clone(), far_name);
            if let Some(w) = weakest.get_mut(i) {
                if w.as_ref()
                    .is_none_or(|cur| (cand.0, &cand.1) < (cur.0, &cur.1))
                {
                    *w = Some(cand);
                }
            }
        }
    }
    let mut active = vec![0usize; n];
    for f in findings.iter().filter(|f| f.status == Status::Active) {
        match f.subject {
            Subject::Zone(z) => {
                if let Some(a) = active.get_mut(z.0 as usize) {
                    *a += 1;
                }
            }
            Subject::Conduit(c) => {
                for z in into.get(c.0 as usize).into_iter().flatten() {
                    if let Some(a) = active.get_mut(z.0 as usize) {
                        *a += 1;
                    }
                }
            }
            Subject::Waiver(_) => {}
        }
    }
    s.zones = model
        .zone_ids()
        .map(|id| {
            let i = id.0 as usize;
            let zone = model.zone(id);
            ZoneSummary {
                zone: zone.name.clone(),
                sl: zone.sl.as_ref().map(|s| s.value),
                weakest: weakest.get(i).cloned().flatten().map(|(l, c, f)| (c, f, l)),
                active_findings: active.get(i).copied().unwrap_or(0),
            }
        })
        .collect();
    s
}
