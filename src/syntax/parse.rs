//! The `.zc` parser: nom token parsers under a recovering statement loop.
//!
//! Grammar (informal; `NL` is a newline, `;` separates like a newline):
//!
//! ```text
//! document := item_list EOF
//! item_list := { NL | ";" | comment | item }
//! item     := flow | attr
//! attr     := word { arg [","] } [ block ] [ comment ]
//! flow     := end { "," end } ( "->" | "<->" ) end { "," end } [ comment ]
//! end      := "multicast" word [ "in" word ] | "fqdn" string [ "in" word ] | word
//! block    := "{" item_list "}"
//! arg      := word | string
//! word     := [A-Za-z0-9_.:/+*-]+          (a word never contains "->")
//! string   := '"' { char | '\"' | '\\' | '\n' | '\t' } '"'   (one line)
//! comment  := "#" to end of line
//! ```
//!
//! After a comma an argument list may continue on the next line.
//!
//! Parsing never fails: a syntax error becomes a diagnostic, the parser skips
//! to the end of the line (or the matching `}`) and goes on, so one typo does
//! not hide the rest. Nesting deeper than [`MAX_DEPTH`] and more than
//! [`MAX_ERRORS`] errors per file stop descent rather than the program.

use super::tree::*;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::Parser as _;

/// Deepest `{ … }` nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// Syntax errors reported per file before the parser gives up on the file.
pub const MAX_ERRORS: usize = 50;

type NomErr<'a> = nom::error::Error<&'a str>;

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-' | '+' | '*')
}

fn is_hspace(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r'
}

/// `word`: the longest run of word characters that does not run into `->`.
fn word(input: &str) -> nom::IResult<&str, &str, NomErr<'_>> {
    let (rest, w) = take_while1::<_, &str, NomErr<'_>>(is_word_char).parse(input)?;
    if let Some(cut) = w.as_bytes().windows(2).position(|p| p == b"->") {
        if cut == 0 {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::TakeWhile1,
            )));
        }
        let (w, _) = input.split_at(cut);
        let (_, rest) = input.split_at(cut);
        return Ok((rest, w));
    }
    if w.ends_with('-') && rest.starts_with('>') && w.len() > 1 {
        let (w2, _) = input.split_at(w.len() - 1);
        let (_, rest2) = input.split_at(w.len() - 1);
        return Ok((rest2, w2));
    }
    Ok((rest, w))
}

/// `comment`: `#` to the end of the line (the text after `#`).
fn comment(input: &str) -> nom::IResult<&str, &str, NomErr<'_>> {
    let (rest, _) = tag::<_, &str, NomErr<'_>>("#").parse(input)?;
    take_till::<_, &str, NomErr<'_>>(|c| c == '\n').parse(rest)
}

/// `arrow`: `<->` or `->`.
fn arrow(input: &str) -> nom::IResult<&str, ArrowKind, NomErr<'_>> {
    if let Ok((rest, _)) = tag::<_, &str, NomErr<'_>>("<->").parse(input) {
        return Ok((rest, ArrowKind::Both));
    }
    let (rest, _) = tag::<_, &str, NomErr<'_>>("->").parse(input)?;
    Ok((rest, ArrowKind::Forward))
}

/// Result of scanning a string literal.
enum StrScan {
    Ok {
        value: String,
        len: usize,
    },
    /// Unterminated: length up to the end of the line.
    Unterminated {
        len: usize,
    },
    BadEscape {
        at: usize,
        len: usize,
    },
}

/// `string`: a one-line double-quoted string with `\" \\ \n \t` escapes.
fn string(input: &str) -> StrScan {
    // Fast path: no escape and no line end before the closing quote.
    let body = input.get(1..).unwrap_or("");
    if let Some(end) = body.find(['"', '\\', '\n']) {
        if body.as_bytes().get(end) == Some(&b'"') {
            let value = body.get(..end).unwrap_or("").to_string();
            return StrScan::Ok {
                value,
                len: end + 2,
            };
        }
    }
    let mut value = String::new();
    let mut chars = input.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return StrScan::Ok { value, len: i + 1 },
            '\n' => return StrScan::Unterminated { len: i },
            '\\' => match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((j, c2)) if c2 != '\n' => {
                    let end = input.get(j..).and_then(|r| r.find('"')).map(|k| j + k + 1);
                    return StrScan::BadEscape {
                        at: i,
                        len: end.unwrap_or(j + c2.len_utf8()),
                    };
                }
                _ => return StrScan::Unterminated { len: i + 1 },
            },
            c => value.push(c),
        }
    }
    StrScan::Unterminated { len: input.len() }
}

/// A token of an item line.
enum Tok {
    Word(Word),
    Str(Str),
    Comma,
    Arrow(ArrowKind, Span),
}

/// Parses one file.
pub fn parse(file: FileId, text: &str) -> (Document, Vec<Diagnostic>) {
    let mut p = Parser {
        src: text,
        file,
        pos: 0,
        diags: Vec::new(),
        gave_up: false,
    };
    let (items, trailing) = p.item_list(0, None);
    (Document { items, trailing }, p.diags)
}

struct Parser<'a> {
    src: &'a str,
    file: FileId,
    pos: usize,
    diags: Vec<Diagnostic>,
    gave_up: bool,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn offset_of(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    fn error(&mut self, d: Diagnostic) {
        if self.diags.len() >= MAX_ERRORS {
            if !self.gave_up {
                let here = self.span(self.pos, self.pos);
                self.diags.push(
                    Diagnostic::error(
                        "E0101",
                        "too many syntax errors; the rest of this file was not read",
                    )
                    .at(here, "stopped here")
                    .with_help("is this really a .zc policy file?"),
                );
            }
            self.gave_up = true;
            self.pos = self.src.len();
            return;
        }
        self.diags.push(d);
    }

    fn skip_hspace(&mut self) {
        if let Ok((rest, _)) = take_while::<_, &str, NomErr<'_>>(is_hspace).parse(self.rest()) {
            self.pos = self.offset_of(rest);
        }
    }

    /// Skips to the end of the line (not past it), stepping over strings.
    fn skip_line(&mut self) {
        let mut in_str = false;
        let mut escaped = false;
        for (i, c) in self.rest().char_indices() {
            if c == '\n' || (!in_str && (c == '}' || c == ';')) {
                self.pos += i;
                return;
            }
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                }
            } else if c == '"' {
                in_str = true;
            }
        }
        self.pos = self.src.len();
    }

    /// Skips a `{ … }` group whose `{` is at `self.pos`, without recursion.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        let mut in_str = false;
        for (i, c) in self.rest().char_indices() {
            match c {
                '"' => in_str = !in_str,
                '\n' => in_str = false,
                '{' if !in_str => depth += 1,
                '}' if !in_str => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += i + 1;
                        return;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.src.len();
    }

    /// `item_list`, until EOF or (inside a block) the closing `}`.
    /// Returns the items and the comments after the last one.
    fn item_list(&mut self, depth: usize, open: Option<Span>) -> (Vec<Item>, Vec<Comment>) {
        let mut items: Vec<Item> = Vec::new();
        let mut pending: Vec<Comment> = Vec::new();
        let mut newlines = 0usize;
        loop {
            self.skip_hspace();
            let Some(c) = self.peek() else {
                if let Some(open) = open {
                    self.error(
                        Diagnostic::error("E0103", "this block is never closed")
                            .at(open, "block opened here")
                            .with_help("add the missing `}`"),
                    );
                }
                break;
            };
            match c {
                '\n' => {
                    self.pos += 1;
                    newlines += 1;
                }
                ';' => self.pos += 1,
                '#' => {
                    let start = self.pos;
                    if let Ok((rest, text)) = comment(self.rest()) {
                        self.pos = self.offset_of(rest);
                        pending.push(Comment {
                            text: text.trim_end().to_string(),
                            span: self.span(start, self.pos),
                        });
                    }
                    newlines = 0;
                }
                '}' if open.is_some() => {
                    self.pos += 1;
                    break;
                }
                '}' => {
                    let here = self.span(self.pos, self.pos + 1);
                    self.error(
                        Diagnostic::error("E0101", "unexpected `}` with no open block")
                            .at(here, "nothing to close here")
                            .with_help("remove this `}` or add the `{` it belongs to"),
                    );
                    self.pos += 1;
                }
                _ => {
                    let blank_before = newlines >= 2 && !items.is_empty();
                    newlines = 0;
                    let leading = std::mem::take(&mut pending);
                    if let Some(mut item) = self.item(depth) {
                        item.leading = leading;
                        item.blank_before = blank_before;
                        items.push(item);
                    } else {
                        pending = leading;
                    }
                }
            }
            if self.gave_up {
                break;
            }
        }
        items.shrink_to_fit();
        (items, pending)
    }

    /// One item: tokens up to the end of the line, an optional block, and
    /// an optional trailing comment. `None` after a reported syntax error.
    fn item(&mut self, depth: usize) -> Option<Item> {
        let start = self.pos;
        let mut toks: Vec<Tok> = Vec::with_capacity(8);
        let mut ok = true;
        loop {
            self.skip_hspace();
            let Some(c) = self.peek() else { break };
            match c {
                '\n' if matches!(toks.last(), Some(Tok::Comma)) => self.pos += 1,
                '\n' | ';' | '#' | '{' | '}' => break,
                ',' => {
                    if toks.is_empty() || matches!(toks.last(), Some(Tok::Comma)) {
                        let here = self.span(self.pos, self.pos + 1);
                        self.error(
                            Diagnostic::error("E0101", "unexpected `,`")
                                .at(here, "expected a value before this comma"),
                        );
                        ok = false;
                        break;
                    }
                    self.pos += 1;
                    toks.push(Tok::Comma);
                }
                '"' => {
                    let at = self.pos;
                    match string(self.rest()) {
                        StrScan::Ok { value, len } => {
                            self.pos += len;
                            toks.push(Tok::Str(Str {
                                value,
                                span: self.span(at, at + len),
                            }));
                        }
                        StrScan::Unterminated { len } => {
                            let here = self.span(at, at + len);
                            self.error(
                                Diagnostic::error("E0102", "string is not closed on this line")
                                    .at(here, "string starts here")
                                    .with_help("close it with `\"`; strings cannot span lines (write \\n for a line break)"),
                            );
                            ok = false;
                            break;
                        }
                        StrScan::BadEscape { at: esc, len } => {
                            let here = self.span(at + esc, at + esc + 2);
                            self.error(
                                Diagnostic::error("E0101", "unknown escape in string")
                                    .at(here, "not a known escape")
                                    .with_help("the escapes are \\\" \\\\ \\n \\t"),
                            );
                            self.pos = at + len;
                            ok = false;
                            break;
                        }
                    }
                }
                _ => {
                    let rest = self.rest();
                    if let Ok((r, kind)) = arrow(rest) {
                        let at = self.pos;
                        self.pos = self.offset_of(r);
                        toks.push(Tok::Arrow(kind, self.span(at, self.pos)));
                    } else if let Ok((r, w)) = word(rest) {
                        let at = self.pos;
                        self.pos = self.offset_of(r);
                        toks.push(Tok::Word(Word {
                            text: w.to_string(),
                            span: self.span(at, self.pos),
                        }));
                    } else {
                        let len = c.len_utf8();
                        let here = self.span(self.pos, self.pos + len);
                        self.error(
                            Diagnostic::error(
                                "E0110",
                                format!("unexpected character `{}`", c.escape_debug()),
                            )
                            .at(here, "not allowed here")
                            .with_help(
                                "names use a-z, 0-9, `-` and `_`; put free text in double quotes",
                            ),
                        );
                        ok = false;
                        break;
                    }
                }
            }
        }
        if !ok {
            self.skip_line();
            return None;
        }
        let mut block = None;
        if self.peek() == Some('{') {
            block = self.block(depth);
        }
        let end = self.pos;
        self.skip_hspace();
        let mut trailing = None;
        if self.peek() == Some('#') {
            let cstart = self.pos;
            if let Ok((rest, text)) = comment(self.rest()) {
                self.pos = self.offset_of(rest);
                trailing = Some(Comment {
                    text: text.trim_end().to_string(),
                    span: self.span(cstart, self.pos),
                });
            }
        }
        let span = self.span(start, end);
        let kind = self.build(toks, block, span)?;
        Some(Item {
            kind,
            span,
            leading: Vec::new(),
            trailing,
            blank_before: false,
        })
    }

    fn block(&mut self, depth: usize) -> Option<Block> {
        let open_at = self.pos;
        let open = self.span(open_at, open_at + 1);
        if depth + 1 > MAX_DEPTH {
            self.error(
                Diagnostic::error(
                    "E0109",
                    format!("blocks nested deeper than {MAX_DEPTH} levels"),
                )
                .at(open, "too deep")
                .with_help(
                    "a policy needs at most three levels: statement, asset, attribute block",
                ),
            );
            self.skip_group();
            return None;
        }
        self.pos += 1;
        let (items, trailing) = self.item_list(depth + 1, Some(open));
        Some(Block {
            items,
            trailing,
            span: self.span(open_at, self.pos),
        })
    }

    /// Turns a line of tokens into an attribute or a flow line.
    fn build(&mut self, toks: Vec<Tok>, block: Option<Block>, span: Span) -> Option<ItemKind> {
        let arrows: Vec<(ArrowKind, Span)> = toks
            .iter()
            .filter_map(|t| match t {
                Tok::Arrow(k, s) => Some((*k, *s)),
                _ => None,
            })
            .collect();
        if let Some(&(kind, arrow_span)) = arrows.first() {
            return self.build_flow(toks, kind, arrow_span, arrows.len(), block, span);
        }
        let mut it = toks.into_iter();
        let key = match it.next() {
            Some(Tok::Word(w)) => w,
            Some(Tok::Str(s)) => {
                self.error(
                    Diagnostic::error("E0101", "expected a keyword, found a string")
                        .at(s.span, "a statement or attribute starts with a keyword")
                        .with_help("write `keyword \"text\"`, e.g. `description \"…\"`"),
                );
                return None;
            }
            _ => {
                let here = block.as_ref().map(|b| b.span).unwrap_or(span);
                self.error(
                    Diagnostic::error("E0101", "expected a keyword before `{`")
                        .at(here, "this block has no statement")
                        .with_help("a block follows a statement, e.g. `zone NAME { … }`"),
                );
                return None;
            }
        };
        let mut args: Vec<ArgSep> = Vec::with_capacity(it.len());
        for t in it {
            match t {
                Tok::Word(w) => args.push(ArgSep {
                    arg: Arg::Word(w),
                    comma_after: false,
                }),
                Tok::Str(s) => args.push(ArgSep {
                    arg: Arg::Str(s),
                    comma_after: false,
                }),
                Tok::Comma => {
                    if let Some(last) = args.last_mut() {
                        last.comma_after = true;
                    }
                }
                Tok::Arrow(..) => {}
            }
        }
        if let Some(last) = args.last_mut() {
            if last.comma_after {
                last.comma_after = false;
                let here = last.arg.span();
                self.error(
                    Diagnostic::error("E0101", "list ends with a comma")
                        .at(here, "expected another value after this")
                        .with_help("remove the trailing comma"),
                );
            }
        }
        args.shrink_to_fit();
        Some(ItemKind::Attr { key, args, block })
    }

    fn build_flow(
        &mut self,
        toks: Vec<Tok>,
        arrow: ArrowKind,
        arrow_span: Span,
        arrow_count: usize,
        block: Option<Block>,
        span: Span,
    ) -> Option<ItemKind> {
        if arrow_count > 1 {
            self.error(
                Diagnostic::error("E0101", "a flow line has exactly one arrow")
                    .at(span, "more than one `->`/`<->` here")
                    .with_help(
                        "write one flow line per direction: `a -> b`, or `a <-> b` for both ways",
                    ),
            );
            return None;
        }
        if let Some(b) = block {
            self.error(
                Diagnostic::error("E0101", "a flow line cannot have a block")
                    .at(b.span, "unexpected block"),
            );
            return None;
        }
        let mut left = Vec::new();
        let mut right = Vec::new();
        let mut seen_arrow = false;
        let mut expect_word = true;
        let mut it = toks.into_iter().peekable();
        while let Some(t) = it.next() {
            match t {
                Tok::Arrow(..) => {
                    if expect_word {
                        self.error(
                            Diagnostic::error("E0101", "expected an endpoint before the arrow")
                                .at(arrow_span, "nothing on this side")
                                .with_help("a flow line reads `initiator, … -> responder, …`"),
                        );
                        return None;
                    }
                    seen_arrow = true;
                    expect_word = true;
                }
                Tok::Word(w) if expect_word => {
                    let end = self.flow_end(w, &mut it)?;
                    if seen_arrow {
                        right.push(end)
                    } else {
                        left.push(end)
                    }
                    expect_word = false;
                }
                Tok::Comma if !expect_word => expect_word = true,
                Tok::Word(w) => {
                    self.error(
                        Diagnostic::error("E0101", "endpoints are separated by commas")
                            .at(w.span, "expected `,` or an arrow before this")
                            .with_help("write `a, b -> c`"),
                    );
                    return None;
                }
                Tok::Str(s) => {
                    self.error(
                        Diagnostic::error(
                            "E0101",
                            "expected a zone or `zone.asset`, found a string",
                        )
                        .at(s.span, "endpoints are names, not strings")
                        .with_help("a DNS name is written `fqdn \"NAME\" in ZONE`"),
                    );
                    return None;
                }
                Tok::Comma => {}
            }
        }
        if right.is_empty() || expect_word {
            self.error(
                Diagnostic::error("E0101", "expected an endpoint after the arrow")
                    .at(arrow_span, "nothing on the responder side")
                    .with_help("a flow line reads `initiator, … -> responder, …`"),
            );
            return None;
        }
        Some(ItemKind::Flow {
            initiators: left,
            arrow,
            arrow_span,
            responders: right,
        })
    }

    /// One flow-line endpoint starting at word `w`:
    ///
    /// ```text
    /// end := "multicast" word [ "in" word ]
    ///      | "fqdn" string [ "in" word ]
    ///      | word
    /// ```
    ///
    /// `multicast` and `fqdn` are keywords only when a value follows
    /// them, so a zone of that name still works as a bare word.
    fn flow_end(
        &mut self,
        w: Word,
        it: &mut std::iter::Peekable<std::vec::IntoIter<Tok>>,
    ) -> Option<FlowEnd> {
        let kind = match (w.text.as_str(), it.peek()) {
            ("multicast", Some(Tok::Word(_))) => EndKind::Multicast,
            ("fqdn", Some(Tok::Str(_))) => EndKind::Fqdn,
            ("fqdn", Some(Tok::Word(v))) => {
                let span = v.span;
                self.error(
                    Diagnostic::error("E0101", "the name of an `fqdn` endpoint is quoted")
                        .at(span, "expected a double-quoted DNS name")
                        .with_help("write `fqdn \"*.azure-devices.net\" in internet`"),
                );
                return None;
            }
            _ => return Some(FlowEnd::name(w)),
        };
        let word = match it.next() {
            Some(Tok::Word(v)) => v,
            Some(Tok::Str(s)) => Word {
                text: s.value,
                span: s.span,
            },
            _ => return None,
        };
        let mut span = w.span.to(word.span);
        let mut zone = None;
        if matches!(it.peek(), Some(Tok::Word(k)) if k.text == "in") {
            let in_span = match it.next() {
                Some(Tok::Word(k)) => k.span,
                _ => span,
            };
            match it.next() {
                Some(Tok::Word(z)) => {
                    span = span.to(z.span);
                    zone = Some(z);
                }
                _ => {
                    self.error(
                        Diagnostic::error("E0101", "expected a zone after `in`")
                            .at(in_span, "which zone?")
                            .with_help("write `multicast 239.192.1.0/24 in cell-a`"),
                    );
                    return None;
                }
            }
        }
        Some(FlowEnd {
            word,
            kind,
            zone,
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    fn ok(text: &str) -> Document {
        let (doc, diags) = parse(FileId(0), text);
        assert!(diags.is_empty(), "{text:?}: {diags:?}");
        doc
    }

    fn codes(text: &str) -> Vec<String> {
        parse(FileId(0), text)
            .1
            .into_iter()
            .map(|d| d.code)
            .collect()
    }

    fn flow(item: &Item) -> (Vec<&str>, ArrowKind, Vec<&str>) {
        match &item.kind {
            ItemKind::Flow {
                initiators,
                arrow,
                responders,
                ..
            } => (
                initiators.iter().map(|w| w.text.as_str()).collect(),
                *arrow,
                responders.iter().map(|w| w.text.as_str()).collect(),
            ),
            ItemKind::Attr { .. } => panic!("not a flow: {item:?}"),
        }
    }

    #[test]
    fn statements_attributes_and_spans() {
        let text = "zone ops {\n    purdue 3.5\n    network 10.25.0.0/24\n}\n";
        let doc = ok(text);
        let zone = &doc.items[0];
        assert_eq!(zone.key().unwrap().text, "zone");
        assert_eq!(zone.args()[0].arg.text(), "ops");
        let block = zone.block().unwrap();
        assert_eq!(block.items.len(), 2);
        let purdue = &block.items[0];
        let arg_span = purdue.args()[0].arg.span();
        assert_eq!(&text[arg_span.start as usize..arg_span.end as usize], "3.5");
        assert_eq!(
            &text[block.span.start as usize..block.span.end as usize],
            &text[9..text.len() - 1]
        );
    }

    #[test]
    fn flows_with_and_without_spaces() {
        let doc = ok("conduit c {\n a.x, b -> c.y\n d<->e\n f->g\n}");
        let items = &doc.items[0].block().unwrap().items;
        assert_eq!(
            flow(&items[0]),
            (vec!["a.x", "b"], ArrowKind::Forward, vec!["c.y"])
        );
        assert_eq!(flow(&items[1]), (vec!["d"], ArrowKind::Both, vec!["e"]));
        assert_eq!(flow(&items[2]), (vec!["f"], ArrowKind::Forward, vec!["g"]));
    }

    #[test]
    fn separators_lists_and_continuation() {
        let doc = ok("service s { tcp 1, 2,\n      3-4; udp 5 }");
        let items = &doc.items[0].block().unwrap().items;
        assert_eq!(items.len(), 2);
        let tcp: Vec<&str> = items[0].args().iter().map(|a| a.arg.text()).collect();
        assert_eq!(tcp, ["1", "2", "3-4"]);
        assert!(items[0].args()[0].comma_after && !items[0].args()[2].comma_after);
    }

    #[test]
    fn strings_and_escapes() {
        let doc = ok(r#"zone a { owner "Ops \"A\" \\ line\nnext # not a comment" }"#);
        let owner = &doc.items[0].block().unwrap().items[0];
        assert_eq!(
            owner.args()[0].arg.text(),
            "Ops \"A\" \\ line\nnext # not a comment"
        );
        assert_eq!(codes("zone a { owner \"x\\q\" }"), ["E0101"]);
        assert_eq!(codes("zone a { owner \"open\n}"), ["E0102"]);
    }

    #[test]
    fn comments_are_kept_in_place() {
        let doc =
            ok("# lead\nzone a { # after brace\n  purdue 3 # trail\n  # inner end\n}\n# end\n");
        assert_eq!(doc.items[0].leading[0].text, " lead");
        let block = doc.items[0].block().unwrap();
        assert_eq!(block.items[0].leading[0].text, " after brace");
        assert_eq!(block.items[0].trailing.as_ref().unwrap().text, " trail");
        assert_eq!(block.trailing[0].text, " inner end");
        assert_eq!(doc.trailing[0].text, " end");
    }

    #[test]
    fn recovers_at_the_next_statement() {
        let text = "zone a { owner é }\nzone b { network 10.0.0.0/8 }\nconduit c { a -> -> b }\nzone d {}\n";
        let (doc, diags) = parse(FileId(0), text);
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["E0110", "E0101"]);
        let names: Vec<&str> = doc.items.iter().map(|i| i.args()[0].arg.text()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }

    #[test]
    fn structural_errors() {
        assert_eq!(codes("zone a {\n purdue 3\n"), ["E0103"]);
        assert_eq!(codes("}\nzone a {}"), ["E0101"]);
        assert_eq!(codes("zone a { allow x, }"), ["E0101"]);
        assert_eq!(codes("zone a { , x }"), ["E0101"]);
        assert_eq!(codes("{ x }"), ["E0101"]);
        assert_eq!(codes("conduit c { a -> }"), ["E0101"]);
        assert_eq!(codes("conduit c { -> b }"), ["E0101"]);
        assert_eq!(codes("conduit c { a b -> c }"), ["E0101"]);
        let deep = format!(
            "zone a {}{}",
            "{ x ".repeat(MAX_DEPTH + 5),
            "}".repeat(MAX_DEPTH + 5)
        );
        assert_eq!(codes(&deep), ["E0109"]);
    }

    #[test]
    fn error_count_is_capped() {
        let (_, diags) = parse(FileId(0), &"é\n".repeat(10_000));
        assert_eq!(diags.len(), MAX_ERRORS + 1);
    }
}
