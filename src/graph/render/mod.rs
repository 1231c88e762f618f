//! Renderers: text table, JSON, DOT, Mermaid and SVG. Pure functions of
//! the model and a report; no I/O.

mod json;
mod names;
mod text;

pub use json::{render_json, SCHEMA};
pub use text::render_text;

mod dot;
mod layout;
mod map;
mod mermaid;

pub use dot::render_dot;
pub use mermaid::render_mermaid;

mod svg;

pub use svg::render_svg;

/// Zones from the top of the Purdue model down (internet first, process
/// last), by name within a level: the order of the map's bands.
pub fn purdue_order(model: &crate::model::Model) -> Vec<crate::model::ZoneId> {
    map::build(model, None)
        .levels
        .into_iter()
        .flat_map(|(_, zs)| zs)
        .collect()
}

/// The band a zone is drawn in, e.g. `Level 3.5: industrial DMZ`.
pub fn level_label(model: &crate::model::Model, z: crate::model::ZoneId) -> &'static str {
    map::level_label(map::level_of(model, z))
}

/// A zone's SL-T as the renderers write it: `3`, `{3 3 3 2 3 2 3}` or `-`.
pub fn sl_text(model: &crate::model::Model, z: crate::model::ZoneId) -> String {
    names::sl(model, z)
}
