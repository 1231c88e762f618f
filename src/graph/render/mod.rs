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
