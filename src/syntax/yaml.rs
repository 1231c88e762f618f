//! YAML front end: a YAML policy becomes the same [`Document`] as a `.zc`
//! file, with spans into the YAML text, so one resolver serves both and
//! errors in either point at file, line and column.
//!
//! Shape (documented in docs/language.md, "YAML form"):
//!
//! ```yaml
//! import: [services-local.zc]
//! zones:     { NAME: { ATTRIBUTE: VALUE, networks: [..], assets: { NAME: { address: .., ATTRIBUTE: .. } } } }
//! services:  { NAME: { tcp: [502], authenticated: false, tags: [write] } }
//! assets:    { NAME: { address: { ZONE: IP, ZONE: IP }, ATTRIBUTE: VALUE } }   (multi-homed)
//! groups:    { NAME: [zone.asset, zone, other-group] }
//! conduits:  { NAME: { from: [..], to: [..], bidirectional: false, allow: [..], ATTRIBUTE: VALUE } }
//! conduits:  { NAME: { from: [..], to: [.., { multicast: ADDR, in: ZONE }, { fqdn: NAME, in: ZONE }],
//!                      bidirectional: false, allow: [..], ATTRIBUTE: VALUE } }
//! waivers:   [ { rule: PRO-003, conduit: NAME, kind: .., ... } ]
//! ```
//!
//! Attribute names are those of the `.zc` language; a list value becomes a
//! comma list, a map value under `sl` the per-requirement block.

use super::tree::*;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::yaml::Located;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A YAML node with spans on every element.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Scalar(String),
    Seq(Vec<Located<Node>>),
    Map(Vec<(Located<String>, Located<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        while let Some(el) = seq.next_element::<Located<Node>>()? {
            out.push(el);
        }
        Ok(Node::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Located<String>>()? {
            let v = map.next_value::<Located<Node>>()?;
            out.push((k, v));
        }
        Ok(Node::Map(out))
    }
}

/// Parses a YAML policy into the syntax tree.
pub fn parse(file: FileId, text: &str) -> (Document, Vec<Diagnostic>) {
    let mut c = Converter {
        file,
        diags: Vec::new(),
    };
    if text.trim().is_empty() {
        return (Document::default(), c.diags);
    }
    let root: Located<Node> = match crate::yaml::from_str(text) {
        Ok(n) => n,
        Err(e) => {
            let at = e.offset.unwrap_or(0);
            c.diags.push(
                Diagnostic::error(
                    "E0404",
                    format!("YAML policy cannot be read: {}", e.message),
                )
                .at(Span::new(file, at, at + e.len), "here")
                .with_help("see docs/language.md, \"YAML form\", for the expected layout"),
            );
            return (Document::default(), c.diags);
        }
    };
    let items = c.document(&root);
    (
        Document {
            items,
            trailing: Vec::new(),
        },
        c.diags,
    )
}

struct Converter {
    file: FileId,
    diags: Vec<Diagnostic>,
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && !s.contains("->")
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-' | '+' | '*')
        })
}

impl Converter {
    fn span<T>(&self, l: &Located<T>) -> Span {
        Span::new(self.file, l.start, l.end.max(l.start))
    }

    fn word(&self, text: &str, span: Span) -> Word {
        Word {
            text: text.to_string(),
            span,
        }
    }

    fn arg(&self, text: &str, span: Span) -> ArgSep {
        let arg = if is_word(text) {
            Arg::Word(self.word(text, span))
        } else {
            Arg::Str(Str {
                value: text.to_string(),
                span,
            })
        };
        ArgSep {
            arg,
            comma_after: false,
        }
    }

    fn item(&self, key: Word, args: Vec<ArgSep>, block: Option<Block>, span: Span) -> Item {
        Item {
            kind: ItemKind::Attr { key, args, block },
            span,
            leading: Vec::new(),
            trailing: None,
            blank_before: false,
        }
    }

    fn expected(&mut self, what: &str, span: Span) {
        self.diags.push(
            Diagnostic::error("E0404", format!("expected {what}"))
                .at(span, "here")
                .with_help("see docs/language.md, \"YAML form\", for the expected layout"),
        );
    }

    fn map<'n>(
        &mut self,
        node: &'n Located<Node>,
        what: &str,
    ) -> &'n [(Located<String>, Located<Node>)] {
        match &node.value {
            Node::Map(m) => m,
            Node::Null => &[],
            _ => {
                let span = self.span(node);
                self.expected(what, span);
                &[]
            }
        }
    }

    /// Scalars of a scalar-or-list value, with their spans.
    fn scalars(&mut self, node: &Located<Node>) -> Vec<(String, Span)> {
        match &node.value {
            Node::Scalar(s) => vec![(s.clone(), self.span(node))],
            Node::Seq(items) => items
                .iter()
                .filter_map(|i| match &i.value {
                    Node::Scalar(s) => Some((s.clone(), self.span(i))),
                    _ => {
                        let span = self.span(i);
                        self.expected("a plain value in this list", span);
                        None
                    }
                })
                .collect(),
            Node::Null => Vec::new(),
            Node::Map(_) => {
                let span = self.span(node);
                self.expected("a value or a list of values", span);
                Vec::new()
            }
        }
    }

    fn document(&mut self, root: &Located<Node>) -> Vec<Item> {
        let mut items = Vec::new();
        for (key, value) in self.map(
            root,
            "a map with `zones`, `assets`, `groups`, `services`, `conduits`, `waivers`, `import`",
        ) {
            let kspan = self.span(key);
            match key.value.as_str() {
                "import" => {
                    for (file, span) in self.scalars(value) {
                        let arg = ArgSep { arg: Arg::Str(Str { value: file, span }), comma_after: false };
                        items.push(self.item(self.word("import", kspan), vec![arg], None, span));
                    }
                }
                "zones" => self.decls(value, "zone", &mut items),
                "services" => self.decls(value, "service", &mut items),
                "conduits" => self.decls(value, "conduit", &mut items),
                "groups" => self.groups(value, &mut items),
                "assets" => self.hosts(value, &mut items),
                "waivers" => self.waivers(value, &mut items),
                other => self.diags.push(
                    Diagnostic::error("E0104", format!("unknown top-level key `{other}`"))
                        .at(kspan, "not a section")
                        .with_help("a YAML policy has `import`, `zones`, `assets`, `groups`, `services`, `conduits` and `waivers`"),
                ),
            }
        }
        items
    }

    /// `zones: { NAME: {...} }` and the like: one statement per entry.
    fn decls(&mut self, node: &Located<Node>, kind: &str, items: &mut Vec<Item>) {
        for (name, body) in self.map(node, &format!("a map of {kind} names")) {
            let nspan = self.span(name);
            let block = self.block(body, kind);
            let args = vec![ArgSep {
                arg: Arg::Word(self.word(&name.value, nspan)),
                comma_after: false,
            }];
            let span = nspan.to(block.span);
            items.push(self.item(self.word(kind, nspan), args, Some(block), span));
        }
    }

    /// `groups: { NAME: [member, ...] }`: one `group` statement per entry,
    /// one member per line of its block.
    fn groups(&mut self, node: &Located<Node>, items: &mut Vec<Item>) {
        for (name, body) in self.map(node, "a map of group names") {
            let members = self
                .scalars(body)
                .into_iter()
                .map(|(m, s)| self.item(self.word(&m, s), Vec::new(), None, s))
                .collect();
            let item = self.named_block("group", name, body, members);
            items.push(item);
        }
    }

    /// `KEYWORD NAME { lines }` from a YAML map entry `NAME: body`.
    fn named_block(
        &mut self,
        keyword: &str,
        name: &Located<String>,
        body: &Located<Node>,
        lines: Vec<Item>,
    ) -> Item {
        let nspan = self.span(name);
        let block = Block {
            items: lines,
            trailing: Vec::new(),
            span: self.span(body),
        };
        let args = vec![ArgSep {
            arg: Arg::Word(self.word(&name.value, nspan)),
            comma_after: false,
        }];
        let span = nspan.to(block.span);
        self.item(self.word(keyword, nspan), args, Some(block), span)
    }

    /// `assets: { NAME: { address: { ZONE: IP, … }, ATTRIBUTE: VALUE } }`:
    /// top-level (multi-homed) assets, one `address IP in ZONE` per leg.
    fn hosts(&mut self, node: &Located<Node>, items: &mut Vec<Item>) {
        for (name, body) in self.map(node, "a map of asset names") {
            let mut lines = Vec::new();
            for (key, value) in self.map(body, "the attributes of an asset") {
                if key.value != "address" {
                    lines.push(self.simple(key, value));
                    continue;
                }
                let kspan = self.span(key);
                for (zone, ip) in self.map(value, "a map of zone names to addresses") {
                    let zspan = self.span(zone);
                    let Some((addr, aspan)) = self.scalars(ip).into_iter().next() else {
                        continue;
                    };
                    let args = vec![
                        self.arg(&addr, aspan),
                        ArgSep {
                            arg: Arg::Word(self.word("in", zspan)),
                            comma_after: false,
                        },
                        ArgSep {
                            arg: Arg::Word(self.word(&zone.value, zspan)),
                            comma_after: false,
                        },
                    ];
                    lines.push(self.item(self.word("address", kspan), args, None, zspan.to(aspan)));
                }
            }
            let item = self.named_block("asset", name, body, lines);
            items.push(item);
        }
    }

    fn block(&mut self, body: &Located<Node>, kind: &str) -> Block {
        let span = self.span(body);
        let mut items = Vec::new();
        let entries = self.map(body, &format!("the attributes of a {kind}"));
        if kind == "conduit" {
            if let Some(flow) = self.flow(entries, span) {
                items.push(flow);
            }
        }
        for (key, value) in entries {
            let kspan = self.span(key);
            let k = key.value.as_str();
            match (kind, k) {
                ("conduit", "from" | "to" | "bidirectional") => {}
                ("zone", "networks" | "network") => {
                    for (net, s) in self.scalars(value) {
                        items.push(self.item(
                            self.word("network", kspan),
                            vec![self.arg(&net, s)],
                            None,
                            s,
                        ));
                    }
                }
                ("zone", "assets") => {
                    for (name, a) in self.map(value, "a map of asset names") {
                        if let Some(it) = self.asset(name, a) {
                            items.push(it);
                        }
                    }
                }
                (_, "sl") => items.push(self.sl(key, value)),
                (_, "allow") => {
                    let mut args = Vec::new();
                    for (entry, s) in self.scalars(value) {
                        for part in entry.split_whitespace() {
                            args.push(ArgSep {
                                arg: Arg::Word(self.word(part, s)),
                                comma_after: true,
                            });
                        }
                    }
                    if let Some(last) = args.last_mut() {
                        last.comma_after = false;
                    }
                    items.push(self.item(
                        self.word("allow", kspan),
                        args,
                        None,
                        kspan.to(self.span(value)),
                    ));
                }
                _ => items.push(self.simple(key, value)),
            }
        }
        Block {
            items,
            trailing: Vec::new(),
            span,
        }
    }

    /// `KEY: value` or `KEY: [a, b]` as `KEY a, b`.
    fn simple(&mut self, key: &Located<String>, value: &Located<Node>) -> Item {
        let kspan = self.span(key);
        let mut args: Vec<ArgSep> = self
            .scalars(value)
            .into_iter()
            .map(|(v, s)| ArgSep {
                comma_after: true,
                ..self.arg(&v, s)
            })
            .collect();
        if let Some(last) = args.last_mut() {
            last.comma_after = false;
        }
        self.item(
            self.word(&key.value, kspan),
            args,
            None,
            kspan.to(self.span(value)),
        )
    }

    fn sl(&mut self, key: &Located<String>, value: &Located<Node>) -> Item {
        let kspan = self.span(key);
        let Node::Map(entries) = &value.value else {
            return self.simple(key, value);
        };
        let items = entries.iter().map(|(fr, lv)| self.simple(fr, lv)).collect();
        let block = Block {
            items,
            trailing: Vec::new(),
            span: self.span(value),
        };
        self.item(
            self.word("sl", kspan),
            Vec::new(),
            Some(block),
            kspan.to(self.span(value)),
        )
    }

    fn asset(&mut self, name: &Located<String>, body: &Located<Node>) -> Option<Item> {
        let nspan = self.span(name);
        let mut address = None;
        let mut attrs = Vec::new();
        match &body.value {
            Node::Scalar(a) => address = Some((a.clone(), self.span(body))),
            Node::Map(entries) => {
                for (k, v) in entries {
                    if k.value == "address" {
                        address = self.scalars(v).into_iter().next();
                    } else {
                        attrs.push(self.simple(k, v));
                    }
                }
            }
            _ => {}
        }
        let Some((addr, aspan)) = address else {
            self.diags.push(
                Diagnostic::error("E0106", format!("asset `{}` has no address", name.value))
                    .at(nspan, "expected `address: IP`")
                    .with_help(
                        "write `NAME: { address: 10.40.1.10, role: plc }` or `NAME: 10.40.1.10`",
                    ),
            );
            return None;
        };
        let args = vec![
            ArgSep {
                arg: Arg::Word(self.word(&name.value, nspan)),
                comma_after: false,
            },
            self.arg(&addr, aspan),
        ];
        let block = (!attrs.is_empty()).then(|| Block {
            items: attrs,
            trailing: Vec::new(),
            span: self.span(body),
        });
        Some(self.item(
            self.word("asset", nspan),
            args,
            block,
            nspan.to(self.span(body)),
        ))
    }

    /// `from`, `to`, `bidirectional` of a conduit as a flow line.
    fn flow(&mut self, entries: &[(Located<String>, Located<Node>)], span: Span) -> Option<Item> {
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key.value == k)
                .map(|(_, v)| v)
        };
        let (from, to) = (get("from")?, get("to")?);
        let both = get("bidirectional")
            .is_some_and(|v| matches!(&v.value, Node::Scalar(s) if s == "true"));
        let initiators = self.ends(from);
        let responders = self.ends(to);
        if initiators.is_empty() || responders.is_empty() {
            self.expected("endpoints in `from` and `to`", span);
            return None;
        }
        let fspan = self.span(from).to(self.span(to));
        Some(Item {
            kind: ItemKind::Flow {
                initiators,
                arrow: if both {
                    ArrowKind::Both
                } else {
                    ArrowKind::Forward
                },
                arrow_span: fspan,
                responders,
            },
            span: fspan,
            leading: Vec::new(),
            trailing: None,
            blank_before: false,
        })
    }

    /// The endpoints of `from` or `to`: a name, a list of names, and in a
    /// list also `{ multicast: ADDR, in: ZONE }` or `{ fqdn: NAME, in: ZONE }`.
    fn ends(&mut self, node: &Located<Node>) -> Vec<FlowEnd> {
        let Node::Seq(items) = &node.value else {
            return self
                .scalars(node)
                .iter()
                .map(|(t, s)| FlowEnd::name(self.word(t, *s)))
                .collect();
        };
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            let span = self.span(i);
            match &i.value {
                Node::Scalar(t) => out.push(FlowEnd::name(self.word(t, span))),
                Node::Map(entries) => {
                    if let Some(end) = self.typed_end(entries, span) {
                        out.push(end);
                    }
                }
                _ => self.expected("a name, or a map with `multicast` or `fqdn`", span),
            }
        }
        out
    }

    /// `{ multicast: ADDR, in: ZONE }` or `{ fqdn: NAME, in: ZONE }`.
    fn typed_end(
        &mut self,
        entries: &[(Located<String>, Located<Node>)],
        span: Span,
    ) -> Option<FlowEnd> {
        let mut kind = None;
        let mut zone = None;
        for (k, v) in entries {
            let Node::Scalar(text) = &v.value else {
                self.expected("a plain value", self.span(v));
                return None;
            };
            let word = self.word(text, self.span(v));
            match k.value.as_str() {
                "multicast" if kind.is_none() => kind = Some((EndKind::Multicast, word)),
                "fqdn" if kind.is_none() => kind = Some((EndKind::Fqdn, word)),
                "in" if zone.is_none() => zone = Some(word),
                _ => {
                    self.expected(
                        "one of `multicast` or `fqdn`, and `in` (the zone)",
                        self.span(k),
                    );
                    return None;
                }
            }
        }
        let Some((kind, word)) = kind else {
            self.expected("`multicast: ADDRESS` or `fqdn: NAME` with `in: ZONE`", span);
            return None;
        };
        // From the first key to the last value (a map node's own span is
        // only its start).
        let span = match (entries.first(), entries.last()) {
            (Some((k, _)), Some((_, v))) => self.span(k).to(self.span(v)),
            _ => span,
        };
        Some(FlowEnd {
            word,
            kind,
            zone,
            span,
        })
    }

    /// `waivers: [ { rule: R, zone|conduit: NAME, ... } ]`.
    fn waivers(&mut self, node: &Located<Node>, items: &mut Vec<Item>) {
        let Node::Seq(list) = &node.value else {
            let span = self.span(node);
            self.expected("a list of waivers", span);
            return;
        };
        for w in list {
            let wspan = self.span(w);
            let entries = self.map(w, "a waiver map");
            let rule = entries.iter().find(|(k, _)| k.value == "rule");
            let target = entries
                .iter()
                .find(|(k, _)| k.value == "zone" || k.value == "conduit");
            let (Some((_, rule)), Some((tk, tv))) = (rule, target) else {
                self.expected("a waiver with `rule` and `zone` or `conduit`", wspan);
                continue;
            };
            let (Node::Scalar(r), Node::Scalar(t)) = (&rule.value, &tv.value) else {
                self.expected("plain values for `rule` and the target", wspan);
                continue;
            };
            let args = vec![
                ArgSep {
                    arg: Arg::Word(self.word(r, self.span(rule))),
                    comma_after: false,
                },
                ArgSep {
                    arg: Arg::Word(self.word("on", self.span(tk))),
                    comma_after: false,
                },
                ArgSep {
                    arg: Arg::Word(self.word(&tk.value, self.span(tk))),
                    comma_after: false,
                },
                ArgSep {
                    arg: Arg::Word(self.word(t, self.span(tv))),
                    comma_after: false,
                },
            ];
            let attrs = entries
                .iter()
                .filter(|(k, _)| !matches!(k.value.as_str(), "rule" | "zone" | "conduit"))
                .map(|(k, v)| self.simple(k, v))
                .collect();
            let block = Block {
                items: attrs,
                trailing: Vec::new(),
                span: wspan,
            };
            items.push(self.item(
                self.word("waive", self.span(rule)),
                args,
                Some(block),
                wspan,
            ));
        }
    }
}
