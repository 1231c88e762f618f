//! The syntax tree: every file is a list of [`Item`]s, each a keyword with
//! arguments and an optional `{ … }` block of nested items, or a flow line
//! (`a, b -> c`). Every node keeps its byte [`Span`] and the comments around
//! it, so that the formatter can reprint a file without losing anything.
//!
//! The tree knows nothing of zones or conduits: the resolver in `model`
//! gives items their meaning, and the YAML front end produces the same tree.

use crate::source::Span;

/// A `# …` comment (text without the `#`, trailing whitespace trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// A bare word: a name, number, address, CIDR, date, range or `zone.asset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// A double-quoted string, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// One argument of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Word(Word),
    Str(Str),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Word(w) => w.span,
            Arg::Str(s) => s.span,
        }
    }

    /// The word's text or the string's value.
    pub fn text(&self) -> &str {
        match self {
            Arg::Word(w) => &w.text,
            Arg::Str(s) => &s.value,
        }
    }

    pub fn as_word(&self) -> Option<&Word> {
        match self {
            Arg::Word(w) => Some(w),
            Arg::Str(_) => None,
        }
    }
}

/// An argument and whether a comma follows it (`allow a, b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgSep {
    pub arg: Arg,
    pub comma_after: bool,
}

/// `->` (one way) or `<->` (both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowKind {
    Forward,
    Both,
}

/// What an item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `key arg, arg … { block }`.
    Attr {
        key: Word,
        args: Vec<ArgSep>,
        block: Option<Block>,
    },
    /// `initiators (-> | <->) responders`.
    Flow {
        initiators: Vec<Word>,
        arrow: ArrowKind,
        arrow_span: Span,
        responders: Vec<Word>,
    },
}

/// A statement or attribute with its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
    /// Comment lines directly above the item.
    pub leading: Vec<Comment>,
    /// A comment at the end of the item's line.
    pub trailing: Option<Comment>,
    /// A blank line separated this item from the previous one.
    pub blank_before: bool,
}

impl Item {
    pub fn key(&self) -> Option<&Word> {
        match &self.kind {
            ItemKind::Attr { key, .. } => Some(key),
            ItemKind::Flow { .. } => None,
        }
    }

    pub fn args(&self) -> &[ArgSep] {
        match &self.kind {
            ItemKind::Attr { args, .. } => args,
            ItemKind::Flow { .. } => &[],
        }
    }

    pub fn block(&self) -> Option<&Block> {
        match &self.kind {
            ItemKind::Attr { block, .. } => block.as_ref(),
            ItemKind::Flow { .. } => None,
        }
    }
}

/// `{ items }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub items: Vec<Item>,
    /// Comments after the last item, before `}`.
    pub trailing: Vec<Comment>,
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub items: Vec<Item>,
    /// Comments after the last item.
    pub trailing: Vec<Comment>,
}
