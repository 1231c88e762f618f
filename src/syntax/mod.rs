//! Syntax: `.zc` text → [`tree::Document`] with spans and comments, and the
//! canonical formatter back to text.
//!
//! This module knows nothing of later phases; the resolver in `model` gives
//! the tree its meaning. Parsing never fails: it returns the tree and a list
//! of diagnostics, recovering at the next statement after an error.

pub mod format;
pub mod parse;
pub mod tree;
pub mod yaml;

pub use parse::parse;
