//! DOC: model completeness and documentation (IEC 62443-3-2 ZCR 5.6, 6.4).

use super::util::{conduit_label, join, protected_zones, zone_endpoints, zone_label};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::ZoneClass;
use std::collections::BTreeSet;

/// DOC-001: a zone without an owner; a conduit without an owner whose
/// protected zones have different owners (nobody is accountable for it).
pub fn doc_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones() {
        if z.class != ZoneClass::External && z.owner.is_none() {
            out.push(
                Hit::new(
                    Subject::Zone(id),
                    format!("zone {} has no accountable owner", z.name),
                    zone_label(z, "no `owner`"),
                )
                .protects([id]),
            );
        }
    }
    for (id, c) in ctx.live() {
        if c.owner.is_some() {
            continue;
        }
        let zones = protected_zones(c);
        let owners: BTreeSet<&str> = zones
            .iter()
            .filter_map(|z| ctx.zone(*z).owner.as_deref())
            .collect();
        if owners.len() > 1 {
            let names: Vec<String> = owners.iter().map(|o| format!("\"{o}\"")).collect();
            out.push(
                Hit::new(
                    Subject::Conduit(id),
                    format!(
                        "conduit {} has no owner and the zones it protects have different owners ({})",
                        c.name,
                        join(&names)
                    ),
                    conduit_label(c, "no `owner`"),
                )
                .labels(zones.iter().flat_map(|z| {
                    let owner = ctx.zone(*z).owner.as_deref().unwrap_or("nobody");
                    zone_endpoints(ctx.model, c, *z, &format!("owned by {owner}"))
                }))
                .protects(zones.iter().copied()),
            );
        }
    }
    out
}

/// DOC-002: a zone (other than `external`) without SL-T, or without a
/// Purdue level or explicit class.
pub fn doc_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones() {
        if z.class == ZoneClass::External {
            continue;
        }
        let mut missing = Vec::new();
        if z.sl.is_none() {
            missing.push("target security level (`sl`)");
        }
        if z.purdue.is_none() && !z.class_explicit {
            missing.push("Purdue level or class");
        }
        if !missing.is_empty() {
            out.push(Hit::new(
                Subject::Zone(id),
                format!("zone {} has no {}", z.name, missing.join(" and no ")),
                zone_label(z, "declared here"),
            ));
        }
    }
    out
}

/// DOC-003: a conduit without a justification.
pub fn doc_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    ctx.live()
        .filter(|(_, c)| {
            c.justification
                .as_deref()
                .is_none_or(|j| j.trim().is_empty())
        })
        .map(|(id, c)| {
            let zones = protected_zones(c);
            Hit::new(
                Subject::Conduit(id),
                format!("conduit {} has no justification", c.name),
                conduit_label(c, "no `justification`"),
            )
            .label(Label::new(c.flow_span, "this flow needs a business reason"))
            .protects(zones)
        })
        .collect()
}

/// DOC-006: an OT or safety zone names no `shutdown-authority`.
pub fn doc_006(ctx: &Ctx<'_>) -> Vec<Hit> {
    ctx.zones()
        .filter(|(_, z)| super::util::is_ot(z) && z.shutdown_authority.is_none())
        .map(|(id, z)| {
            Hit::new(
                Subject::Zone(id),
                format!(
                    "zone {} names nobody who may isolate or stop it (no `shutdown-authority`)",
                    z.name
                ),
                zone_label(z, "no `shutdown-authority`"),
            )
            .protects([id])
        })
        .collect()
}

/// DOC-007: a zone (other than `external`) with a highest SL-T of 2 or more
/// declares no assets.
pub fn doc_007(ctx: &Ctx<'_>) -> Vec<Hit> {
    ctx.zones()
        .filter(|(_, z)| {
            z.class != ZoneClass::External
                && crate::model::SlVector::max(&z.sl_t()) >= 2
                && z.assets.is_empty()
        })
        .map(|(id, z)| {
            Hit::new(
                Subject::Zone(id),
                format!(
                    "zone {} has SL-T {} but declares no assets",
                    z.name,
                    crate::model::SlVector::max(&z.sl_t())
                ),
                zone_label(z, "no `asset`"),
            )
            .protects([id])
        })
        .collect()
}
