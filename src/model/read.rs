//! Reading attributes out of syntax-tree blocks: known keys, repeats,
//! argument shapes. Shared by every statement the resolver understands.

use super::values::{suggest, ValueError};
use super::Spanned;
use crate::diagnostics::Diagnostic;
use crate::syntax::tree::{Arg, Block, Item, ItemKind};

/// Collects diagnostics while reading.
#[derive(Default)]
pub struct Reader {
    pub diags: Vec<Diagnostic>,
}

/// How often a key may appear in one block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Times {
    Once,
    Many,
}

impl Reader {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn value_error(&mut self, e: ValueError, span: crate::source::Span) {
        self.push(
            Diagnostic::error(e.code, e.message)
                .at(span, "here")
                .with_help(e.help),
        );
    }

    /// The attribute items of a block whose keys are in `schema`, in order.
    /// Reports unknown keys (with a suggestion), repeats of `Once` keys and
    /// flow lines (unless `flows` is true, when they come back with key "->").
    pub fn attrs<'t>(
        &mut self,
        block: Option<&'t Block>,
        what: &str,
        schema: &[(&'static str, Times)],
        flows: bool,
    ) -> Vec<(&'static str, &'t Item)> {
        let mut out: Vec<(&'static str, &'t Item)> = Vec::new();
        let Some(block) = block else { return out };
        for item in &block.items {
            match &item.kind {
                ItemKind::Flow { .. } if flows => {
                    if let Some((_, first)) = out.iter().find(|(k, _)| *k == "->") {
                        self.push(
                            Diagnostic::error("E0107", format!("{what} has more than one flow line"))
                                .at(item.span, "second flow line")
                                .with_label(first.span, "first flow line")
                                .with_help("declare one conduit per flow; list several endpoints with commas: `a, b -> c`"),
                        );
                    } else {
                        out.push(("->", item));
                    }
                }
                ItemKind::Flow { .. } => self.push(
                    Diagnostic::error("E0105", format!("a flow line is not allowed in a {what}"))
                        .at(item.span, "flow line")
                        .with_help("flow lines (`a -> b`) belong in a `conduit` block"),
                ),
                ItemKind::Attr { key, .. } => {
                    let Some((name, times)) = schema.iter().find(|(k, _)| *k == key.text) else {
                        let keys = schema.iter().map(|(k, _)| *k);
                        let help = match suggest(&key.text, keys.clone()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => {
                                format!("a {what} takes: {}", keys.collect::<Vec<_>>().join(", "))
                            }
                        };
                        self.push(
                            Diagnostic::error(
                                "E0105",
                                format!("unknown {what} attribute `{}`", key.text),
                            )
                            .at(key.span, "unknown attribute")
                            .with_help(help),
                        );
                        continue;
                    };
                    if *times == Times::Once {
                        if let Some((_, first)) = out.iter().find(|(k, _)| k == name) {
                            self.push(
                                Diagnostic::error(
                                    "E0107",
                                    format!("`{name}` is given twice in this {what}"),
                                )
                                .at(key.span, "given again here")
                                .with_label(
                                    first.key().map(|k| k.span).unwrap_or(first.span),
                                    "first given here",
                                )
                                .with_help("keep one of them"),
                            );
                            continue;
                        }
                    }
                    out.push((name, item));
                }
            }
        }
        out
    }

    /// The single argument of an attribute with no block.
    pub fn one<'t>(&mut self, item: &'t Item) -> Option<&'t Arg> {
        let key = item.key().map(|k| k.text.as_str()).unwrap_or("");
        match (item.args(), item.block()) {
            ([only], None) => Some(&only.arg),
            _ => {
                self.push(
                    Diagnostic::error("E0106", format!("`{key}` takes exactly one value"))
                        .at(item.span, "expected one value")
                        .with_help(format!("write `{key} VALUE`")),
                );
                None
            }
        }
    }

    /// One argument as text (a string or a word).
    pub fn text(&mut self, item: &Item) -> Option<String> {
        self.one(item).map(|a| a.text().to_string())
    }

    /// One argument parsed by `parse`.
    pub fn value<T>(
        &mut self,
        item: &Item,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<Spanned<T>> {
        let arg = self.one(item)?;
        match parse(arg.text()) {
            Ok(v) => Some(Spanned::new(v, arg.span())),
            Err(e) => {
                self.value_error(e, arg.span());
                None
            }
        }
    }

    /// One or more arguments and no block.
    pub fn list<'t>(&mut self, item: &'t Item) -> Vec<&'t Arg> {
        let key = item.key().map(|k| k.text.as_str()).unwrap_or("");
        if item.args().is_empty() || item.block().is_some() {
            self.push(
                Diagnostic::error("E0106", format!("`{key}` takes a list of values"))
                    .at(item.span, "expected values")
                    .with_help(format!("write `{key} a, b, c`")),
            );
            return Vec::new();
        }
        item.args().iter().map(|a| &a.arg).collect()
    }
}
