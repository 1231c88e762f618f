//! Endpoint groups: `group NAME { zone.asset, zone, other-group }`.
//!
//! A group is a name for a list of endpoints. Groups may name zones, assets
//! of any zone and other groups; nested groups are expanded depth-first with
//! an explicit stack (no recursion on user input), and a cycle is reported
//! at the member that closes it. A group shares the name space of zones in
//! a flow line, so a group named like a zone is an error and the name keeps
//! meaning the zone.

use super::*;

/// One member of a group after name lookup.
enum Member {
    Endpoint(Endpoint),
    /// Index of a nested group, and the span of its name in the block.
    Group(usize, Span),
}

impl Resolver {
    /// Resolves every group (name order) into `model.groups` and fills
    /// `self.group_ids`. Runs after zones and before conduits.
    pub(super) fn groups(&mut self, decls: &BTreeMap<String, Decl<'_>>, model: &mut Model) {
        let mut written: Vec<(&Decl<'_>, Vec<&Word>)> = Vec::new();
        for d in decls.values() {
            if let Some(zone) = self.zone_ids.get(&d.name.text).copied() {
                self.push(
                    Diagnostic::error(
                        "E0219",
                        format!("group `{}` has the name of a zone", d.name.text),
                    )
                    .at(d.name.span, "group declared here")
                    .with_label(model.zone(zone).span, "zone of the same name")
                    .with_help(
                        "a flow line names zones and groups alike; rename the group, e.g. `group "
                            .to_string()
                            + &d.name.text
                            + "-hosts`",
                    ),
                );
                continue;
            }
            let words = self.group_words(d);
            written.push((d, words));
        }
        self.group_ids = written
            .iter()
            .enumerate()
            .map(|(i, (d, _))| (d.name.text.clone(), i))
            .collect();
        let members: Vec<Vec<Member>> = written
            .iter()
            .map(|(d, words)| self.group_members(d, words, model))
            .collect();
        let mut groups: Vec<Group> = written
            .iter()
            .map(|(d, words)| Group {
                name: d.name.text.clone(),
                span: d.name.span,
                members: words
                    .iter()
                    .map(|w| Spanned::new(w.text.clone(), w.span))
                    .collect(),
                endpoints: Vec::new(),
                uses: Vec::new(),
            })
            .collect();
        let expanded = self.expand_groups(&groups, &members);
        for (g, eps) in groups.iter_mut().zip(expanded) {
            g.endpoints = eps;
        }
        model.groups = groups;
    }

    /// The member words of a group block: each line is a comma list of
    /// names (`a.b, c.d`), read as its key and its arguments.
    fn group_words<'a>(&mut self, d: &Decl<'a>) -> Vec<&'a Word> {
        let mut words: Vec<&'a Word> = Vec::new();
        for item in d.item.block().map(|b| b.items.as_slice()).unwrap_or(&[]) {
            let ItemKind::Attr { key, args, block } = &item.kind else {
                self.push(
                    Diagnostic::error("E0106", "a group lists endpoints, not a flow line")
                        .at(item.span, "flow line inside a group")
                        .with_help(format!(
                            "write the members as a list, `group {} {{ zone.asset, zone }}`, and the flow line in a conduit",
                            d.name.text
                        )),
                );
                continue;
            };
            if let Some(b) = block {
                self.push(
                    Diagnostic::error("E0106", "a group member takes no block")
                        .at(b.span, "unexpected block")
                        .with_help("a group lists names only: `group NAME { zone.asset, zone }`"),
                );
            }
            words.push(key);
            for a in args {
                match &a.arg {
                    Arg::Word(w) => words.push(w),
                    Arg::Str(s) => self.push(
                        Diagnostic::error("E0106", "a group member is a name, not a string")
                            .at(s.span, "quoted text")
                            .with_help("write the zone, `zone.asset` or group name without quotes"),
                    ),
                }
            }
        }
        if words.is_empty() {
            self.push(
                Diagnostic::error("E0220", format!("group `{}` has no members", d.name.text))
                    .at(d.name.span, "empty group")
                    .with_help(format!(
                        "list zones, assets or groups: `group {} {{ zone.asset, zone }}`, or remove the group",
                        d.name.text
                    )),
            );
        }
        words
    }

    fn group_members(&mut self, d: &Decl<'_>, words: &[&Word], model: &Model) -> Vec<Member> {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for w in words {
            if let Some(first) = seen.get(w.text.as_str()) {
                self.push(
                    Diagnostic::warning(
                        "W0010",
                        format!("`{}` is listed twice in group `{}`", w.text, d.name.text),
                    )
                    .at(w.span, "listed again here")
                    .with_label(*first, "first listed here")
                    .with_help("remove one of them; a group holds each endpoint once"),
                );
                continue;
            }
            seen.insert(&w.text, w.span);
            if let Some(g) = self.group_index(&w.text) {
                out.push(Member::Group(g, w.span));
            } else if let Some(ep) = self.endpoint(w, model) {
                out.push(Member::Endpoint(ep));
            }
        }
        out
    }

    /// The index of the group a plain name (no `.`) in a flow line means.
    pub(super) fn group_index(&self, name: &str) -> Option<usize> {
        if name.contains('.') || self.zone_ids.contains_key(name) {
            return None;
        }
        self.group_ids.get(name).copied()
    }

    /// Expands nested groups: an iterative depth-first walk that finishes
    /// a group after all the groups it names; an edge back to a group on
    /// the walk's stack is a cycle, reported once, and left out.
    fn expand_groups(&mut self, groups: &[Group], members: &[Vec<Member>]) -> Vec<Vec<Endpoint>> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            Open,
            Done,
        }
        let n = groups.len();
        let mut state = vec![State::New; n];
        let mut out: Vec<Vec<Endpoint>> = vec![Vec::new(); n];
        for root in 0..n {
            if state.get(root) != Some(&State::New) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            set(&mut state, root, State::Open);
            while let Some((g, k)) = stack.last().copied() {
                let next = members.get(g).and_then(|m| m.get(k));
                let Some(member) = next else {
                    let eps = collect(members.get(g), &out);
                    if let Some(slot) = out.get_mut(g) {
                        *slot = eps;
                    }
                    set(&mut state, g, State::Done);
                    stack.pop();
                    continue;
                };
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let Member::Group(h, span) = member else {
                    continue;
                };
                match state.get(*h) {
                    Some(State::New) => {
                        set(&mut state, *h, State::Open);
                        stack.push((*h, 0));
                    }
                    Some(State::Open) => {
                        let from = stack.iter().position(|(x, _)| x == h).unwrap_or(0);
                        let path: Vec<&str> = stack
                            .iter()
                            .skip(from)
                            .filter_map(|(x, _)| groups.get(*x).map(|g| g.name.as_str()))
                            .chain(groups.get(*h).map(|g| g.name.as_str()))
                            .collect();
                        self.push(
                            Diagnostic::error(
                                "E0218",
                                format!("group `{}` contains itself", path.first().copied().unwrap_or("")),
                            )
                            .at(*span, "this member closes the cycle")
                            .with_help(format!(
                                "groups nest, but not in a circle ({}); remove one of these members",
                                path.join(" → ")
                            )),
                        );
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

fn set<T: Copy>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// A group's endpoints: its own plus those of the (finished) groups it
/// names, sorted, one per zone/asset.
fn collect(members: Option<&Vec<Member>>, done: &[Vec<Endpoint>]) -> Vec<Endpoint> {
    let mut eps: Vec<Endpoint> = Vec::new();
    for m in members.map(Vec::as_slice).unwrap_or(&[]) {
        match m {
            Member::Endpoint(e) => eps.push(*e),
            Member::Group(h, _) => eps.extend(done.get(*h).into_iter().flatten().copied()),
        }
    }
    eps.sort();
    eps.dedup_by_key(|e| (e.zone, e.asset));
    eps
}
