//! The report as a small document tree, written once and rendered twice
//! (HTML and Markdown), so both formats carry the same content.
//!
//! Policy strings enter the tree as [`Inline::Text`] and are escaped by
//! the renderer for its format; nothing in the tree is markup.

/// A run of text inside a paragraph, list item or table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text (may come from the policy).
    Text(String),
    /// A keyword of the policy language (`monitored`, `flow-logs`).
    Code(&'static str),
    /// Emphasised text.
    Strong(String),
    /// A status badge: expired, expiring, unpatchable, alarm.
    Badge(Badge, String),
}

/// What a badge signals, from worst to mild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Badge {
    Alarm,
    Warn,
    Ok,
    Note,
}

impl Badge {
    pub fn class(self) -> &'static str {
        match self {
            Badge::Alarm => "alarm",
            Badge::Warn => "warn",
            Badge::Ok => "ok",
            Badge::Note => "note",
        }
    }
}

/// One cell: a sequence of inlines.
pub type Cell = Vec<Inline>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Level 1 to 3; `id` is a fixed anchor (never from the policy).
    Heading(u8, String, Option<&'static str>),
    Para(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    /// An answer to one of the three questions: the question, the verdict
    /// badge and its lines.
    Answer {
        question: &'static str,
        verdict: (Badge, String),
        points: Vec<Vec<Inline>>,
    },
    Table {
        head: Vec<&'static str>,
        rows: Vec<Vec<Cell>>,
    },
    /// The zone map: SVG for HTML, Mermaid for Markdown.
    Map {
        svg: String,
        mermaid: String,
    },
    /// Start a new printed page here.
    PageBreak,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Builds an inline list quickly.
pub fn t(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Policy text made safe to show: line breaks and tabs become spaces,
/// other control characters and the bidirectional-override and isolate
/// characters (which could reorder what a reader sees) become a visible
/// `[U+XXXX]`. Both renderers apply it before escaping.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_or_invisible(c) => {
                out.push_str(&format!("[U+{:04X}]", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_or_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_shows_bidi_and_control_characters() {
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(clean("x\u{202E}y\u{7}"), "x[U+202E]y[U+0007]");
        assert_eq!(clean("Jürgen <ok>"), "Jürgen <ok>");
    }
}
