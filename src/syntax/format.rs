//! The canonical layout of a `.zc` file.
//!
//! Four-space indentation; one item per line; `a, b` lists with a comma
//! and a space; a block with a single plain item on one line
//! (`sl { iac 3 uc 3 … }`, `asset x 10.0.0.1 { role plc }`); a blank line
//! between top-level statements that have blocks; blank lines inside blocks
//! kept (at most one); every comment kept where it was. Formatting is
//! idempotent and never changes meaning: it prints the syntax tree back.

use super::tree::*;

const INDENT: &str = "    ";

/// Prints a document in the canonical layout.
pub fn format(doc: &Document) -> String {
    let mut out = String::new();
    let mut prev_had_block = false;
    for (i, item) in doc.items.iter().enumerate() {
        let has_block = item.block().is_some();
        if i > 0 && (item.blank_before || has_block || prev_had_block) {
            out.push('\n');
        }
        write_item(&mut out, item, 0);
        prev_had_block = has_block;
    }
    if !doc.trailing.is_empty() && !doc.items.is_empty() {
        out.push('\n');
    }
    for c in &doc.trailing {
        write_comment_line(&mut out, c, 0);
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str(INDENT);
    }
}

fn write_comment_line(out: &mut String, c: &Comment, level: usize) {
    indent(out, level);
    out.push('#');
    out.push_str(&c.text);
    out.push('\n');
}

fn write_item(out: &mut String, item: &Item, level: usize) {
    write_item_as(out, item, level, false);
}

/// `members`: the item is a line of a `group` block, a comma list whose
/// first name the tree holds as the key (`a.b, c.d` prints with its comma).
fn write_item_as(out: &mut String, item: &Item, level: usize, members: bool) {
    for c in &item.leading {
        write_comment_line(out, c, level);
    }
    indent(out, level);
    if members {
        write_members(out, item);
    } else {
        write_item_body(out, item, level);
    }
    if let Some(c) = &item.trailing {
        out.push_str("  #");
        out.push_str(&c.text);
    }
    out.push('\n');
}

fn write_item_body(out: &mut String, item: &Item, level: usize) {
    match &item.kind {
        ItemKind::Flow {
            initiators,
            arrow,
            responders,
            ..
        } => {
            write_words(out, initiators);
            out.push_str(match arrow {
                ArrowKind::Forward => " -> ",
                ArrowKind::Both => " <-> ",
            });
            write_words(out, responders);
        }
        ItemKind::Attr { key, args, block } => {
            out.push_str(&key.text);
            for a in args {
                out.push(' ');
                write_arg(out, &a.arg);
                if a.comma_after {
                    out.push(',');
                }
            }
            if let Some(b) = block {
                out.push(' ');
                let group = level == 0 && key.text == "group";
                write_block(out, b, level, group);
            }
        }
    }
}

fn write_members(out: &mut String, item: &Item) {
    match &item.kind {
        ItemKind::Attr { key, args, .. } if item.block().is_none() => {
            out.push_str(&key.text);
            for a in args {
                out.push_str(", ");
                write_arg(out, &a.arg);
            }
        }
        _ => write_item_body(out, item, 0),
    }
}

fn write_words(out: &mut String, ends: &[FlowEnd]) {
    for (i, e) in ends.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match e.kind {
            EndKind::Name => out.push_str(&e.word.text),
            EndKind::Multicast => {
                out.push_str("multicast ");
                out.push_str(&e.word.text);
            }
            EndKind::Fqdn => {
                out.push_str("fqdn ");
                out.push_str(&quote(&e.word.text));
            }
        }
        if let Some(z) = &e.zone {
            out.push_str(" in ");
            out.push_str(&z.text);
        }
    }
}

fn write_arg(out: &mut String, arg: &Arg) {
    match arg {
        Arg::Word(w) => out.push_str(&w.text),
        Arg::Str(s) => out.push_str(&quote(&s.value)),
    }
}

/// Quotes a string value as a `.zc` string literal.
pub fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A block prints on one line when it holds one plain item and no comments.
fn is_inline(block: &Block) -> bool {
    match block.items.as_slice() {
        [] => block.trailing.is_empty(),
        [only] => {
            block.trailing.is_empty()
                && only.leading.is_empty()
                && only.trailing.is_none()
                && only.block().is_none()
        }
        _ => false,
    }
}

fn write_block(out: &mut String, block: &Block, level: usize, members: bool) {
    if is_inline(block) {
        match block.items.first() {
            Some(only) if members => {
                out.push_str("{ ");
                write_members(out, only);
                out.push_str(" }");
            }
            Some(only) => {
                out.push_str("{ ");
                write_item_body(out, only, level);
                out.push_str(" }");
            }
            None => out.push_str("{}"),
        }
        return;
    }
    out.push_str("{\n");
    for (i, item) in block.items.iter().enumerate() {
        if i > 0 && item.blank_before {
            out.push('\n');
        }
        write_item_as(out, item, level + 1, members);
    }
    for c in &block.trailing {
        write_comment_line(out, c, level + 1);
    }
    indent(out, level);
    out.push('}');
}
