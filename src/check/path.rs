//! PATH: reachability over the zone graph (NIST SP 800-82 / CPwE IDMZ;
//! defense in depth).
//!
//! A small breadth-first search over the "can open a connection to" graph:
//! one edge per live conduit and direction (`->` one, `<->` both), from
//! every zone of class `it` or `external` at once. Inside a zone movement is
//! free. Linear in zones plus conduit flows.

use super::util::{is_ctrl, is_dmz, is_it, zone_flows};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::{ConduitId, ZoneId};
use std::collections::VecDeque;

/// Per zone: `(distance, edge it was reached by)`, or `None` when unreached.
type Reached = Vec<Option<(u32, Option<(ZoneId, ConduitId)>)>>;

/// Adjacency lists indexed by zone: `(to, conduit)`, sorted.
fn graph(ctx: &Ctx<'_>) -> Vec<Vec<(ZoneId, ConduitId)>> {
    let mut adj = vec![Vec::new(); ctx.model.zones.len()];
    for (cid, c) in ctx.live() {
        for (a, b) in zone_flows(c) {
            if let Some(list) = adj.get_mut(a.0 as usize) {
                list.push((b, cid));
            }
        }
    }
    for list in &mut adj {
        list.sort();
        list.dedup();
    }
    adj
}

/// Breadth-first search from every IT-side zone; `enter` says whether a
/// zone may be entered. Returns `(distance, parent edge)` per zone.
fn bfs(ctx: &Ctx<'_>, enter: impl Fn(ZoneId) -> bool) -> Reached {
    let adj = graph(ctx);
    let mut seen = vec![None; adj.len()];
    let mut queue = VecDeque::new();
    for (id, _) in ctx.zones().filter(|(_, z)| is_it(z)) {
        if let Some(s) = seen.get_mut(id.0 as usize) {
            *s = Some((0, None));
            queue.push_back(id);
        }
    }
    while let Some(z) = queue.pop_front() {
        let d = seen
            .get(z.0 as usize)
            .copied()
            .flatten()
            .map_or(0, |(d, _)| d);
        for (to, cid) in adj.get(z.0 as usize).into_iter().flatten() {
            if !enter(*to) {
                continue;
            }
            if let Some(slot) = seen.get_mut(to.0 as usize) {
                if slot.is_none() {
                    *slot = Some((d + 1, Some((z, *cid))));
                    queue.push_back(*to);
                }
            }
        }
    }
    seen
}

/// The path to `target` as (zone, conduit into it) steps, source first.
fn path_to(seen: &Reached, target: ZoneId) -> (ZoneId, Vec<(ConduitId, ZoneId)>) {
    let mut steps = Vec::new();
    let mut at = target;
    while let Some(Some((_, Some((from, cid))))) = seen.get(at.0 as usize) {
        steps.push((*cid, at));
        at = *from;
        if steps.len() > seen.len() {
            break;
        }
    }
    steps.reverse();
    (at, steps)
}

/// The path as text, and a label on the conduit of its last hop (where a
/// fix usually goes).
fn describe(
    ctx: &Ctx<'_>,
    source: ZoneId,
    steps: &[(ConduitId, ZoneId)],
    target: &crate::model::Zone,
) -> (String, Label) {
    let mut text = ctx.zone(source).name.clone();
    let mut last = Label::new(target.span, "reached here");
    for (cid, to) in steps {
        let c = ctx.model.conduit(*cid);
        text.push_str(&format!(" -[{}]-> {}", c.name, ctx.zone(*to).name));
        last = Label::new(c.span, format!("last hop into {}", target.name));
    }
    (text, last)
}

/// PATH-001: a control or safety zone is reachable from an IT-side zone on
/// a path that crosses no DMZ zone.
pub fn path_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let seen = bfs(ctx, |z| !is_dmz(ctx.zone(z)));
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| is_ctrl(z)) {
        if seen.get(id.0 as usize).copied().flatten().is_none() {
            continue;
        }
        let (source, steps) = path_to(&seen, id);
        let (text, last) = describe(ctx, source, &steps, z);
        out.push(
            Hit::new(
                Subject::Zone(id),
                format!(
                    "zone {} is reachable from zone {} without crossing a DMZ: {text}",
                    z.name,
                    ctx.zone(source).name
                ),
                last,
            )
            .protects([id]),
        );
    }
    out
}

/// PATH-002: fewer than `min-hops` conduits between an IT-side zone and a
/// control or safety zone.
pub fn path_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let seen = bfs(ctx, |_| true);
    let min = ctx.thresholds.min_hops;
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| is_ctrl(z)) {
        let Some((d, _)) = seen.get(id.0 as usize).copied().flatten() else {
            continue;
        };
        if d >= min {
            continue;
        }
        let (source, steps) = path_to(&seen, id);
        let (text, last) = describe(ctx, source, &steps, z);
        out.push(
            Hit::new(
                Subject::Zone(id),
                format!(
                    "zone {} is {d} conduit{} from zone {} (class {}), at least {min} wanted: {text}",
                    z.name,
                    if d == 1 { "" } else { "s" },
                    ctx.zone(source).name,
                    ctx.zone(source).class.as_str()
                ),
                last,
            )
            .protects([id]),
        );
    }
    out
}
