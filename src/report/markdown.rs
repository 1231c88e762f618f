//! The same document as Markdown (CommonMark with GitHub tables). The
//! zone map becomes a Mermaid block, which GitHub and most viewers draw.
//! Every policy string passes [`clean`] and then Markdown escaping, so
//! no string can open a table cell, a link, raw HTML or a code span.

use super::doc::{clean, Block, Document, Inline};
use std::fmt::Write;

/// Escapes text for a Markdown paragraph or table cell.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in clean(s).chars().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders the document as Markdown.
pub fn render(doc: &Document) -> String {
    let mut o = String::new();
    for b in &doc.blocks {
        block(&mut o, b);
    }
    o
}

fn block(o: &mut String, b: &Block) {
    match b {
        Block::Heading(level, text, _) => {
            let _ = writeln!(o, "{} {}\n", "#".repeat(usize::from(*level)), esc(text));
        }
        Block::Para(inl) => {
            let _ = writeln!(o, "{}\n", inlines(inl));
        }
        Block::List(items) => list(o, items),
        Block::Answer {
            question,
            verdict,
            points,
        } => {
            let _ = writeln!(o, "### {} **{}**\n", esc(question), esc(&verdict.1));
            list(o, points);
        }
        Block::Table { head, rows } => table(o, head, rows),
        Block::Map { mermaid, .. } => {
            let _ = writeln!(o, "```mermaid\n{}```\n", mermaid.replace("```", "'''"));
        }
        Block::PageBreak => {}
    }
}

fn list(o: &mut String, items: &[Vec<Inline>]) {
    for it in items {
        let _ = writeln!(o, "- {}", inlines(it));
    }
    o.push('\n');
}

fn table(o: &mut String, head: &[&str], rows: &[Vec<Vec<Inline>>]) {
    let cells: Vec<String> = head.iter().map(|h| esc(h)).collect();
    let _ = writeln!(o, "| {} |", cells.join(" | "));
    let _ = writeln!(o, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| inlines(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
}

fn inlines(list: &[Inline]) -> String {
    let mut o = String::new();
    for i in list {
        match i {
            Inline::Text(s) => o.push_str(&esc(s)),
            // Keywords are fixed strings without backticks.
            Inline::Code(s) => {
                let _ = write!(o, "`{s}`");
            }
            Inline::Strong(s) => {
                let _ = write!(o, "**{}**", esc(s));
            }
            Inline::Badge(_, s) => {
                let _ = write!(o, "**\\[{}\\]**", esc(s));
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_cells_links_html_and_code() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("`x` [l](u) <b>"), "\\`x\\` \\[l\\](u) &lt;b&gt;");
        assert_eq!(esc("- item"), "\\- item");
        assert_eq!(esc("line\n# head"), "line \\# head");
    }
}
