//! PATH: attack paths over the zone graph (NIST SP 800-82 / CPwE IDMZ;
//! defense in depth).
//!
//! The rules read the attack model that `conduit blast` uses
//! ([`crate::graph::Attack`]): sources are the zones of class `it` or
//! `external` and the zones with an `external-link` asset; compromise
//! spreads only from footholds (pivot-capable services, reverse channels,
//! vendor sessions, jump hosts, monitor mode), so a zone reached over a
//! read-only service is not a stepping stone. A finding names the root-cause
//! conduit of the path (its first crossing out of the sources' side) and
//! lists every zone reached through it, so one bypass is one finding.

use super::util::{is_ctrl, is_ot, join, zone_label};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::{Label, Severity};
use crate::graph::attack::root_edge;
use crate::graph::{Attack, ZoneEdge};
use crate::model::{ConduitId, ZoneClass, ZoneId};
use std::collections::BTreeMap;

fn attack<'a>(ctx: &'a Ctx<'_>) -> &'a Attack {
    ctx.attack.get_or_init(|| Attack::new(ctx.model, ctx.as_of))
}

/// Where a group of findings is rooted: a conduit, or a source zone that is
/// itself the target (an externally linked device inside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Root {
    Conduit(ConduitId),
    Zone(ZoneId),
}

/// One reached target with the path that reaches it.
struct Target<'a> {
    zone: ZoneId,
    path: Vec<&'a ZoneEdge>,
}

/// Groups `targets` by the root cause of their path: its first crossing
/// out of the sources' side, or with `into_ctrl` its first crossing into a
/// control or safety zone (where a path gets there too early).
fn group<'a>(
    ctx: &Ctx<'_>,
    a: &Attack,
    targets: Vec<Target<'a>>,
    into_ctrl: bool,
) -> BTreeMap<Root, Vec<Target<'a>>> {
    let mut out: BTreeMap<Root, Vec<Target<'a>>> = BTreeMap::new();
    for t in targets {
        let edge = if into_ctrl {
            t.path
                .iter()
                .copied()
                .find(|e| is_ctrl(ctx.zone(e.to)))
                .or_else(|| t.path.last().copied())
        } else {
            root_edge(ctx.model, a, &t.path)
        };
        let root = match edge {
            Some(e) => Root::Conduit(e.conduit),
            None => Root::Zone(t.zone),
        };
        out.entry(root).or_default().push(t);
    }
    out
}

/// The path as text: `corp -[c1]-> mes -[c2]-> hmi`.
fn describe(ctx: &Ctx<'_>, a: &Attack, target: ZoneId, path: &[&ZoneEdge]) -> String {
    let start = path.first().map_or(target, |e| e.from);
    let mut text = ctx.zone(start).name.clone();
    for e in path {
        let c = ctx.model.conduit(e.conduit);
        let arrow = if e.reverse && c.direction == crate::model::Direction::Forward {
            ", reverse channel"
        } else {
            ""
        };
        text.push_str(&format!(" -[{}{arrow}]-> {}", c.name, ctx.zone(e.to).name));
    }
    if path.is_empty() && a.is_source(target) {
        text.push_str(" (an externally linked device is inside)");
    }
    text
}

/// One hit per root cause, naming every target zone reached through it.
fn report(
    ctx: &Ctx<'_>,
    a: &Attack,
    groups: BTreeMap<Root, Vec<Target<'_>>>,
    what: &dyn Fn(&Target<'_>) -> String,
    message: &dyn Fn(&str, &[String], &str) -> String,
) -> Vec<Hit> {
    let mut out = Vec::new();
    for (root, targets) in groups {
        let Some(first) = targets.first() else {
            continue;
        };
        let names: Vec<String> = targets
            .iter()
            .map(|t| ctx.zone(t.zone).name.clone())
            .collect();
        let example = describe(ctx, a, first.zone, &first.path);
        let (subject, label, root_name) = match root {
            Root::Conduit(cid) => {
                let c = ctx.model.conduit(cid);
                (
                    Subject::Conduit(cid),
                    Label::new(c.span, "root cause of the path"),
                    format!("conduit {}", c.name),
                )
            }
            Root::Zone(z) => {
                let zone = ctx.zone(z);
                let at = zone
                    .assets
                    .iter()
                    .find(|x| x.external_link)
                    .map_or(zone.span, |x| x.span);
                (
                    Subject::Zone(z),
                    Label::new(at, "external link: an entry point"),
                    format!("zone {}", zone.name),
                )
            }
        };
        let hit = Hit::new(subject, message(&root_name, &names, &example), label)
            .labels(
                targets
                    .iter()
                    .map(|t| zone_label(ctx.zone(t.zone), what(t))),
            )
            .protects(targets.iter().map(|t| t.zone));
        out.push(hit);
    }
    out
}

/// PATH-001: a control or safety zone is reachable by an attacker from the
/// sources on a path on which no DMZ zone is a foothold.
pub fn path_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let a = attack(ctx);
    let targets: Vec<Target<'_>> = ctx
        .zones()
        .filter(|(_, z)| is_ctrl(z))
        .filter_map(|(id, _)| {
            Some(Target {
                zone: id,
                path: a.bypass_path(id)?,
            })
        })
        .collect();
    let groups = group(ctx, a, targets, false);
    report(
        ctx,
        a,
        groups,
        &|_| "reached without crossing a DMZ".to_string(),
        &|root, names, example| {
            format!(
                "{root} lets an attacker reach {} without crossing a DMZ: {example}",
                zones_text(names)
            )
        },
    )
}

/// PATH-002: fewer than `min-hops` conduits between a source and a control
/// or safety zone on an attack path.
pub fn path_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let a = attack(ctx);
    let min = ctx.thresholds.min_hops;
    let targets: Vec<Target<'_>> = ctx
        .zones()
        .filter(|(_, z)| is_ctrl(z))
        .filter(|(id, _)| a.reach_hops(*id).is_some_and(|d| d < min))
        .map(|(id, _)| Target {
            zone: id,
            path: a.reach_path(id),
        })
        .collect();
    let groups = group(ctx, a, targets, true);
    report(
        ctx,
        a,
        groups,
        &|t| {
            let d = t.path.len();
            format!("{d} conduit{} from a source", if d == 1 { "" } else { "s" })
        },
        &|root, names, example| {
            format!(
                "{root} brings {} within fewer than {min} conduits of an attacker, at least {min} wanted: {example}",
                zones_text(names)
            )
        },
    )
}

/// PATH-004: a safety zone is reachable by an attacker from the sources
/// over any path.
pub fn path_004(ctx: &Ctx<'_>) -> Vec<Hit> {
    let a = attack(ctx);
    let targets: Vec<Target<'_>> = ctx
        .zones()
        .filter(|(_, z)| z.class == ZoneClass::Safety)
        .filter(|(id, _)| a.reach_hops(*id).is_some())
        .map(|(id, _)| Target {
            zone: id,
            path: a.reach_path(id),
        })
        .collect();
    let groups = group(ctx, a, targets, false);
    report(
        ctx,
        a,
        groups,
        &|_| "safety zone an attacker reaches".to_string(),
        &|root, names, example| {
            format!(
                "{root} lets an attacker reach safety {}: {example}",
                zones_text(names)
            )
        },
    )
    .into_iter()
    .map(|h| h.severity(Severity::Error))
    .collect()
}

/// PATH-005: assets marked `patchable false` in an OT zone where an
/// attacker gains a foothold (over a pivot-capable service or as a source).
pub fn path_005(ctx: &Ctx<'_>) -> Vec<Hit> {
    let a = attack(ctx);
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(id, z)| is_ot(z) && a.compromised(*id)) {
        let stuck: Vec<&crate::model::Asset> = z.assets.iter().filter(|x| !x.patchable).collect();
        if stuck.is_empty() {
            continue;
        }
        let names: Vec<String> = stuck.iter().map(|x| x.name.clone()).collect();
        let path = a.reach_path(id);
        let example = describe(ctx, a, id, &path);
        out.push(
            Hit::new(
                Subject::Zone(id),
                format!(
                    "unpatchable asset{} {} of zone {} can be reached over pivot-capable services: {example}",
                    if names.len() == 1 { "" } else { "s" },
                    join(&names),
                    z.name
                ),
                zone_label(z, "attacker gains a foothold here"),
            )
            .labels(
                stuck
                    .iter()
                    .map(|x| Label::new(x.span, format!("{}: patchable false", x.name))),
            )
            .protects([id]),
        );
    }
    out
}

fn zones_text(names: &[String]) -> String {
    format!(
        "zone{} {}",
        if names.len() == 1 { "" } else { "s" },
        join(names)
    )
}
