//! The syntax tree: every file is a list of [`Item`]s, each a keyword with
//! arguments and an optional `{ … }` block of nested items, or a flow line
//! (`a, b -> c`, endpoints also `multicast ADDR in ZONE`, `fqdn "NAME" in ZONE`). Every node keeps its byte [`Span`] and the comments around
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

/// What a flow-line endpoint is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndKind {
    /// A bare word: `zone` or `zone.asset` (or another name the resolver
    /// knows).
    Name,
    /// `multicast ADDR[/LEN] [in ZONE]`: a multicast group.
    Multicast,
    /// `fqdn "NAME" [in ZONE]`: a DNS name the firewall resolves.
    Fqdn,
}

/// One endpoint of a flow line. It dereferences to its [`Word`], so code
/// that reads names keeps working; code that cares must look at `kind`
/// first (the word of a `multicast` endpoint is its address, the word of
/// an `fqdn` endpoint the unquoted name with the string's span).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowEnd {
    pub word: Word,
    pub kind: EndKind,
    /// `in ZONE` after a `multicast` or `fqdn` endpoint.
    pub zone: Option<Word>,
    /// From the keyword to the zone (the word's span for a name).
    pub span: Span,
}

impl FlowEnd {
    /// A bare-word endpoint.
    pub fn name(word: Word) -> FlowEnd {
        FlowEnd {
            span: word.span,
            word,
            kind: EndKind::Name,
            zone: None,
        }
    }
}

impl std::ops::Deref for FlowEnd {
    type Target = Word;

    fn deref(&self) -> &Word {
        &self.word
    }
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
        initiators: Vec<FlowEnd>,
        arrow: ArrowKind,
        arrow_span: Span,
        responders: Vec<FlowEnd>,
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
