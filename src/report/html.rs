//! One self-contained HTML file: styles in the head, the zone map inline
//! as SVG, no script, no external font, image or link. Every policy
//! string passes [`clean`] and then HTML escaping.

use super::doc::{clean, Block, Document, Inline};
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
@page { size: A4; margin: 16mm 14mm; }
body { font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a; line-height: 1.4; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 20pt; margin: 0 0 .3rem; }
h2 { font-size: 14pt; border-bottom: 2px solid #444; padding-bottom: .15rem; margin-top: 1.8rem; }
h3 { font-size: 11.5pt; margin: 1.3rem 0 .4rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .9rem; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: .22rem .4rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td strong { white-space: nowrap; }
th { background: #eee; }
tr { break-inside: avoid; }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 92%; background: #f2f2f2; padding: 0 .15rem; }
.badge { display: inline-block; font-size: 8pt; font-weight: bold; padding: 0 .35rem; border-radius: 3px; border: 1px solid; white-space: nowrap; }
.alarm { color: #fff; background: #c00000; border-color: #c00000; }
.warn { color: #7a4a00; background: #fff0c2; border-color: #c79100; }
.ok { color: #125a12; background: #e3f3e3; border-color: #3a8a3a; }
.note { color: #333; background: #f0f0f0; border-color: #999; }
section.answer { border: 1px solid #bbb; border-left: 6px solid #444; padding: .4rem .9rem; margin: .7rem 0; break-inside: avoid; }
section.answer-alarm { border-left-color: #c00000; }
section.answer-warn { border-left-color: #c79100; }
section.answer-ok { border-left-color: #3a8a3a; }
section.answer h3 { margin: .3rem 0; }
section.answer ul { margin: .3rem 0 .3rem 1.1rem; padding: 0; }
figure.map { margin: .5rem 0; text-align: center; break-inside: avoid; }
figure.map svg { width: 100%; height: auto; }
@media print { figure.map svg { max-height: 215mm; } }
h2, h3 { break-after: avoid; }
.pagebreak { break-before: page; }
@media screen { .pagebreak { border-top: 1px dashed #ccc; margin-top: 2rem; } }
";

/// Renders the document as one HTML file.
pub fn render(doc: &Document) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Belt and braces: even a fetch that slipped into the markup is refused.
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    let _ = writeln!(o, "<title>{}</title>", esc(&doc.title));
    let _ = writeln!(o, "<style>{STYLE}</style>\n</head>\n<body>");
    for b in &doc.blocks {
        block(&mut o, b);
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn block(o: &mut String, b: &Block) {
    match b {
        Block::Heading(level, text, id) => {
            let id = id.map(|i| format!(" id=\"{i}\"")).unwrap_or_default();
            let _ = writeln!(o, "<h{level}{id}>{}</h{level}>", esc(text));
        }
        Block::Para(inl) => {
            let _ = writeln!(o, "<p>{}</p>", inlines(inl));
        }
        Block::List(items) => list(o, items),
        Block::Answer {
            question,
            verdict,
            points,
        } => {
            let c = verdict.0.class();
            let _ = writeln!(
                o,
                "<section class=\"answer answer-{c}\">\n<h3>{} <span class=\"badge {c}\">{}</span></h3>",
                esc(question),
                esc(&verdict.1)
            );
            list(o, points);
            o.push_str("</section>\n");
        }
        Block::Table { head, rows } => table(o, head, rows),
        Block::Map { svg, .. } => {
            // Inline SVG in HTML needs no namespace declaration.
            let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
            let _ = writeln!(
                o,
                "<figure class=\"map\" role=\"img\" aria-label=\"Zone and conduit map\">\n{svg}</figure>"
            );
        }
        Block::PageBreak => o.push_str("<div class=\"pagebreak\"></div>\n"),
    }
}

fn list(o: &mut String, items: &[Vec<Inline>]) {
    o.push_str("<ul>\n");
    for it in items {
        let _ = writeln!(o, "<li>{}</li>", inlines(it));
    }
    o.push_str("</ul>\n");
}

fn table(o: &mut String, head: &[&str], rows: &[Vec<Vec<Inline>>]) {
    o.push_str("<table>\n<thead><tr>");
    for h in head {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            let _ = write!(o, "<td>{}</td>", inlines(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
}

fn inlines(list: &[Inline]) -> String {
    let mut o = String::new();
    for i in list {
        match i {
            Inline::Text(s) => o.push_str(&esc(s)),
            Inline::Code(s) => {
                let _ = write!(o, "<code>{}</code>", esc(s));
            }
            Inline::Strong(s) => {
                let _ = write!(o, "<strong>{}</strong>", esc(s));
            }
            Inline::Badge(b, s) => {
                let _ = write!(o, "<span class=\"badge {}\">{}</span>", b.class(), esc(s));
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(esc("a\u{202E}b"), "a[U+202E]b");
    }
}
