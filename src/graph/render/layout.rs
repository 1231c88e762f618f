//! Layout of the SVG map: Purdue levels as horizontal bands (internet at
//! the top, process at the bottom), zones ordered in each level by the
//! barycentre heuristic, a pass-through slot in every level a long edge
//! crosses (so it runs between boxes, not through them), ports spread along
//! the box sides, and curves through those points.
//!
//! Cost: O(sweeps · (Z + S) log(Z + S) + sweeps · E') for ordering, where S
//! is the number of pass-through slots and E' the edge chains; routing
//! O(E · degree).

use super::map::{self, Map, MapEdge};
use crate::model::{Model, ZoneId};
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) const MARGIN: f64 = 20.0;
pub(super) const BAND_LABEL_W: f64 = 170.0;
pub(super) const BOX_H: f64 = 48.0;
pub(super) const BOX_H_MARKED: f64 = 62.0;
pub(super) const GAP_X: f64 = 36.0;
pub(super) const BAND_GAP: f64 = 72.0;
pub(super) const BAND_PAD: f64 = 18.0;
pub(super) const DUMMY_W: f64 = 8.0;
pub(super) const CHAR_W: f64 = 6.4;
pub(super) const NAME_CHAR_W: f64 = 8.4;
pub(super) const LABEL_CHAR_W: f64 = 5.6;
pub(super) const LABEL_H: f64 = 13.0;
pub(super) const MAX_LABEL: usize = 34;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Rect {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Rect {
    pub(super) fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
    pub(super) fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

pub(super) struct Band {
    pub(super) level: crate::model::Purdue,
    pub(super) y: f64,
    pub(super) h: f64,
}

/// A slot in a level: a zone box, or a pass-through point of an edge that
/// spans several levels (so long edges run between boxes, not through them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Item {
    Zone(ZoneId),
    Dummy(usize),
}

pub(super) struct Layout {
    pub(super) boxes: Vec<Option<Rect>>,
    /// Pass-through x per (edge, level index).
    pub(super) dummies: BTreeMap<(usize, usize), f64>,
    /// Level index per zone.
    pub(super) level: Vec<usize>,
    /// Edge indices touching each zone.
    pub(super) incident: Vec<Vec<usize>>,
    pub(super) bands: Vec<Band>,
    pub(super) width: f64,
    pub(super) height: f64,
}

fn box_width(model: &Model, z: ZoneId) -> f64 {
    let name = model.zone(z).name.chars().count();
    let caption = map::zone_caption(model, z).chars().count();
    (name as f64 * NAME_CHAR_W)
        .max(caption as f64 * CHAR_W)
        .max(90.0)
        + 22.0
}

fn item_width(model: &Model, it: Item) -> f64 {
    match it {
        Item::Zone(z) => box_width(model, z),
        Item::Dummy(_) => DUMMY_W,
    }
}

/// Items per level (zones and pass-through points) and the item chain of every edge.
fn items(m: &Map, level: &[usize]) -> (Vec<Vec<Item>>, BTreeMap<Item, Vec<Item>>) {
    let mut levels: Vec<Vec<Item>> = m
        .levels
        .iter()
        .map(|(_, zs)| zs.iter().map(|&z| Item::Zone(z)).collect())
        .collect();
    let mut adj: BTreeMap<Item, Vec<Item>> = BTreeMap::new();
    for (ei, e) in m.edges.iter().enumerate() {
        let (Some(&a), Some(&b)) = (level.get(e.from.0 as usize), level.get(e.to.0 as usize))
        else {
            continue;
        };
        let mut chain = vec![Item::Zone(e.from)];
        let between: Vec<usize> = if a < b {
            (a + 1..b).collect()
        } else {
            (b + 1..a).rev().collect()
        };
        for l in between {
            if let Some(list) = levels.get_mut(l) {
                list.push(Item::Dummy(ei));
                chain.push(Item::Dummy(ei));
            }
        }
        chain.push(Item::Zone(e.to));
        for w in chain.windows(2) {
            if let [x, y] = w {
                adj.entry(*x).or_default().push(*y);
                adj.entry(*y).or_default().push(*x);
            }
        }
    }
    (levels, adj)
}

/// Orders each level by the mean position of its neighbours in the other
/// levels (barycentre heuristic, a few downward and upward sweeps).
fn order_levels(mut levels: Vec<Vec<Item>>, adj: &BTreeMap<Item, Vec<Item>>) -> Vec<Vec<Item>> {
    // Dummies are keyed by (edge, level) through their level's list.
    let mut pos: BTreeMap<(usize, Item), f64> = BTreeMap::new();
    let index = |levels: &[Vec<Item>], pos: &mut BTreeMap<(usize, Item), f64>| {
        pos.clear();
        for (li, items) in levels.iter().enumerate() {
            let n = items.len().max(1) as f64;
            for (i, it) in items.iter().enumerate() {
                pos.insert((li, *it), (i as f64 + 0.5) / n);
            }
        }
    };
    index(&levels, &mut pos);
    for sweep in 0..8 {
        let n = levels.len();
        let order: Vec<usize> = if sweep % 2 == 0 {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        for li in order {
            let Some(items) = levels.get(li) else {
                continue;
            };
            let mut keyed: Vec<(f64, Item)> = items
                .iter()
                .map(|&it| {
                    let own = pos.get(&(li, it)).copied().unwrap_or(0.5);
                    let ns: Vec<f64> = adj
                        .get(&it)
                        .into_iter()
                        .flatten()
                        .filter_map(|nb| {
                            let up = li.checked_sub(1).and_then(|l| pos.get(&(l, *nb)));
                            let down = pos.get(&(li + 1, *nb));
                            let same = pos.get(&(li, *nb));
                            up.or(down).or(same).copied()
                        })
                        .collect();
                    let key = if ns.is_empty() {
                        own
                    } else {
                        ns.iter().sum::<f64>() / ns.len() as f64
                    };
                    (key, it)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some(slot) = levels.get_mut(li) {
                *slot = keyed.into_iter().map(|(_, it)| it).collect();
            }
            index(&levels, &mut pos);
        }
    }
    levels
}

pub(super) fn layout(model: &Model, m: &Map, top: f64) -> Layout {
    let mut level = vec![0usize; model.zones.len()];
    for (li, (_, zs)) in m.levels.iter().enumerate() {
        for z in zs {
            if let Some(slot) = level.get_mut(z.0 as usize) {
                *slot = li;
            }
        }
    }
    let (levels, adj) = items(m, &level);
    let ordered = order_levels(levels, &adj);
    let row_width = |row: &[Item]| {
        row.iter().map(|&it| item_width(model, it)).sum::<f64>()
            + GAP_X * (row.len().saturating_sub(1)) as f64
    };
    let content_w = ordered.iter().map(|r| row_width(r)).fold(520.0, f64::max);
    let width = MARGIN * 2.0 + BAND_LABEL_W + content_w + GAP_X;
    let mut boxes = vec![None; model.zones.len()];
    let mut dummies = BTreeMap::new();
    let mut bands = Vec::new();
    let mut y = top;
    let gaps = gap_heights(m, &level, content_w);
    for (li, ((lvl, _), row)) in m.levels.iter().zip(&ordered).enumerate() {
        let h = row
            .iter()
            .filter_map(|it| match it {
                Item::Zone(z) => m.marks.get(z.0 as usize).copied(),
                Item::Dummy(_) => None,
            })
            .map(|mark| {
                if mark.source || mark.grade.is_some() {
                    BOX_H_MARKED
                } else {
                    BOX_H
                }
            })
            .fold(BOX_H, f64::max);
        let mut x = MARGIN + BAND_LABEL_W + (content_w - row_width(row)) / 2.0;
        for &it in row {
            let w = item_width(model, it);
            match it {
                Item::Zone(z) => {
                    if let Some(slot) = boxes.get_mut(z.0 as usize) {
                        *slot = Some(Rect {
                            x,
                            y: y + BAND_PAD,
                            w,
                            h,
                        });
                    }
                }
                Item::Dummy(e) => {
                    dummies.insert((e, li), x + w / 2.0);
                }
            }
            x += w + GAP_X;
        }
        bands.push(Band {
            level: *lvl,
            y,
            h: h + 2.0 * BAND_PAD,
        });
        y += h + 2.0 * BAND_PAD + gaps.get(li).copied().unwrap_or(BAND_GAP);
    }
    let last = gaps
        .get(m.levels.len().saturating_sub(1))
        .copied()
        .unwrap_or(BAND_GAP);
    let mut incident = vec![Vec::new(); model.zones.len()];
    for (i, e) in m.edges.iter().enumerate() {
        for z in [e.from, e.to] {
            if let Some(list) = incident.get_mut(z.0 as usize) {
                list.push(i);
            }
        }
    }
    Layout {
        boxes,
        dummies,
        level,
        incident,
        bands,
        width,
        height: y - last + MARGIN,
    }
}

/// Height of the gap below each level: room for the labels of the edges
/// whose first curved segment lies in it (every edge is labelled), at
/// least `BAND_GAP`.
fn gap_heights(m: &Map, level: &[usize], content_w: f64) -> Vec<f64> {
    let mut width = vec![0.0f64; m.levels.len()];
    for e in &m.edges {
        let (Some(&a), Some(&b)) = (level.get(e.from.0 as usize), level.get(e.to.0 as usize))
        else {
            continue;
        };
        let gap = if a > b { a - 1 } else { a };
        if let Some(w) = width.get_mut(gap) {
            *w += label_text(e).chars().count() as f64 * LABEL_CHAR_W + 16.0;
        }
    }
    width
        .into_iter()
        .map(|w| {
            let rows = (w / (content_w * 0.5)).ceil();
            BAND_GAP.max(24.0 + rows * (LABEL_H + 8.0))
        })
        .collect()
}

/// The points an edge passes: its two ports and, per level it crosses,
/// the top and bottom of its pass-through slot. `true` for a same-level edge.
pub(super) fn route(
    l: &Layout,
    m: &Map,
    idx: usize,
    e: &MapEdge,
) -> Option<(Vec<(f64, f64)>, bool)> {
    let a = l.boxes.get(e.from.0 as usize).copied().flatten()?;
    let b = l.boxes.get(e.to.0 as usize).copied().flatten()?;
    let la = l.level.get(e.from.0 as usize).copied()?;
    let lb = l.level.get(e.to.0 as usize).copied()?;
    if la == lb {
        // Below the row: from the bottom of one box to the bottom of the other.
        let (ax, bx) = if a.x < b.x {
            (a.x + a.w * 0.7, b.x + b.w * 0.3)
        } else {
            (a.x + a.w * 0.3, b.x + b.w * 0.7)
        };
        return Some((vec![(ax, a.y + a.h), (bx, b.y + b.h)], true));
    }
    let down = la < lb;
    let between: Vec<usize> = if down {
        (la + 1..lb).collect()
    } else {
        (lb + 1..la).rev().collect()
    };
    let mut mids = Vec::new();
    for li in &between {
        let x = l.dummies.get(&(idx, *li)).copied()?;
        let band = l.bands.get(*li)?;
        let (t, btm) = (band.y + 4.0, band.y + band.h - 4.0);
        if down {
            mids.push((x, t));
            mids.push((x, btm));
        } else {
            mids.push((x, btm));
            mids.push((x, t));
        }
    }
    let near_a = mids.first().map_or(b.cx(), |p| p.0);
    let near_b = mids.last().map_or(a.cx(), |p| p.0);
    let ax = port_x(l, m, idx, e.from, a, down, near_a);
    let bx = port_x(l, m, idx, e.to, b, !down, near_b);
    let (ay, by) = if down {
        (a.y + a.h, b.y)
    } else {
        (a.y, b.y + b.h)
    };
    let mut pts = vec![(ax, ay)];
    pts.extend(mids);
    pts.push((bx, by));
    Some((pts, false))
}

/// Where on the top or bottom side of `zone` edge `idx` attaches: edges on
/// one side are spread out in the order of where they head.
fn port_x(
    l: &Layout,
    m: &Map,
    idx: usize,
    zone: ZoneId,
    rect: Rect,
    bottom: bool,
    toward: f64,
) -> f64 {
    let Some(&lz) = l.level.get(zone.0 as usize) else {
        return rect.cx();
    };
    let mut peers: Vec<(f64, usize)> = l
        .incident
        .get(zone.0 as usize)
        .into_iter()
        .flatten()
        .filter_map(|&i| {
            let o = m.edges.get(i)?;
            let (other, first_mid) = if o.from == zone {
                (o.to, true)
            } else if o.to == zone {
                (o.from, false)
            } else {
                return None;
            };
            let lo = *l.level.get(other.0 as usize)?;
            if lo == lz || (lo > lz) != bottom {
                return None;
            }
            let next = if lo > lz { lz + 1 } else { lz - 1 };
            let x = if i == idx {
                toward
            } else if next == lo {
                l.boxes.get(other.0 as usize).copied().flatten()?.cx()
            } else {
                let _ = first_mid;
                *l.dummies.get(&(i, next))?
            };
            Some((x, i))
        })
        .collect();
    peers.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
    let k = peers.iter().position(|p| p.1 == idx).unwrap_or(0);
    rect.x + rect.w * (k as f64 + 1.0) / (peers.len() as f64 + 1.0)
}

/// SVG path data through `pts`: vertical-tangent curves between levels,
/// straight runs through pass-through slots, an arc for same-level edges.
pub(super) fn path_data(pts: &[(f64, f64)], side: bool) -> (String, Vec<[(f64, f64); 4]>) {
    let mut segs = Vec::new();
    if side {
        if let [p0, p3] = pts {
            let drop = 28.0 + (p3.0 - p0.0).abs() * 0.04;
            segs.push([*p0, (p0.0, p0.1 + drop), (p3.0, p3.1 + drop), *p3]);
        }
    } else {
        for (i, w) in pts.windows(2).enumerate() {
            if let [p0, p3] = w {
                if i % 2 == 1 {
                    segs.push([*p0, *p0, *p3, *p3]);
                } else {
                    segs.push(bezier(*p0, *p3, false));
                }
            }
        }
    }
    let mut d = String::new();
    for (i, c) in segs.iter().enumerate() {
        if i == 0 {
            let _ = write!(d, "M{:.1},{:.1}", c[0].0, c[0].1);
        }
        let _ = write!(
            d,
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
        );
    }
    (d, segs)
}

fn bezier(p0: (f64, f64), p3: (f64, f64), side: bool) -> [(f64, f64); 4] {
    if side {
        let dx = (p3.0 - p0.0) * 0.4;
        [p0, (p0.0 + dx, p0.1 - 30.0), (p3.0 - dx, p3.1 - 30.0), p3]
    } else {
        let dy = (p3.1 - p0.1) * 0.45;
        [p0, (p0.0, p0.1 + dy), (p3.0, p3.1 - dy), p3]
    }
}

pub(super) fn at(c: &[(f64, f64); 4], t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let [p0, p1, p2, p3] = *c;
    let f = |a: f64, b: f64, cc: f64, d: f64| {
        u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * cc + t * t * t * d
    };
    (f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1))
}

/// A conduit's label, `name: services`, shortened to `MAX_LABEL` characters.
pub(super) fn label_text(e: &MapEdge) -> String {
    let full = e.label();
    if full.chars().count() <= MAX_LABEL {
        return full;
    }
    let short: String = full.chars().take(MAX_LABEL - 1).collect();
    format!("{short}…")
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::graph::render::map;

    fn plant30() -> Model {
        let path =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/blast/plant30.zc");
        let loaded = crate::load_policy(&[path]);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.model
    }

    #[test]
    fn boxes_and_pass_through_slots_never_overlap() {
        let model = plant30();
        let m = map::build(&model, None);
        let l = layout(&model, &m, 40.0);
        let boxes: Vec<Rect> = l
            .boxes
            .iter()
            .map(|b| b.expect("every zone placed"))
            .collect();
        assert_eq!(boxes.len(), 30);
        for (i, a) in boxes.iter().enumerate() {
            for b in boxes.iter().skip(i + 1) {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
            assert!(a.x >= MARGIN + BAND_LABEL_W && a.x + a.w <= l.width - MARGIN);
        }
        // A long edge's slot in a level lies between that level's boxes.
        for (&(_, li), &x) in &l.dummies {
            for (z, b) in boxes.iter().enumerate() {
                if l.level[z] == li {
                    assert!(
                        x < b.x || x > b.x + b.w,
                        "slot at {x} crosses {}",
                        model.zones[z].name
                    );
                }
            }
        }
        // Every edge gets a route.
        for (i, e) in m.edges.iter().enumerate() {
            assert!(route(&l, &m, i, e).is_some(), "{}", e.conduit);
        }
    }
}
