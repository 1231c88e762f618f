//! Services: protocol lines, security facts, tags, and inline services.

use super::*;

const SERVICE_ATTRS: &[(&str, Times)] = &[
    ("tcp", Times::Many),
    ("udp", Times::Many),
    ("icmp", Times::Many),
    ("icmpv6", Times::Many),
    ("proto", Times::Many),
    ("include", Times::Many),
    ("authenticated", Times::Once),
    ("encrypted", Times::Once),
    ("tags", Times::Once),
    ("description", Times::Once),
];

impl Resolver {
    pub(super) fn service(&mut self, d: &Decl<'_>) -> Service {
        let mut s = Service {
            name: d.name.text.clone(),
            span: d.name.span,
            builtin: d.builtin,
            inline: false,
            matches: Vec::new(),
            authenticated: false,
            encrypted: false,
            tags: BTreeSet::new(),
            description: None,
            includes: Vec::new(),
            own: Vec::new(),
        };
        let mut includes = Vec::new();
        let (mut said_auth, mut said_enc) = (false, false);
        for (key, item) in self
            .reader
            .attrs(d.item.block(), "service", SERVICE_ATTRS, false)
        {
            match key {
                "include" => {
                    for arg in self.reader.list(item) {
                        includes.push((arg.text().to_string(), arg.span()));
                    }
                }
                "tcp" | "udp" | "icmp" | "icmpv6" | "proto" => {
                    let args: Vec<&Arg> = item.args().iter().map(|a| &a.arg).collect();
                    if let Some(m) = self.service_match(key, &args, item.span) {
                        s.matches.push(m);
                    }
                }
                "authenticated" => {
                    said_auth = true;
                    s.authenticated = self.flag(item);
                }
                "encrypted" => {
                    said_enc = true;
                    s.encrypted = self.flag(item);
                }
                "tags" => {
                    for arg in self.reader.list(item) {
                        match values::one_of(arg.text(), "service tag", &Tag::ALL, Tag::as_str) {
                            Ok(t) => {
                                s.tags.insert(t);
                            }
                            Err(e) => self.reader.value_error(e, arg.span()),
                        }
                    }
                }
                _ => s.description = self.reader.text(item),
            }
        }
        if s.matches.is_empty() && includes.is_empty() {
            self.push(
                Diagnostic::error("E0111", format!("service `{}` matches no traffic", s.name))
                    .at(
                        s.span,
                        "no `tcp`, `udp`, `icmp`, `icmpv6`, `proto` or `include` line",
                    )
                    .with_help("add e.g. `tcp 502` or `udp 47808`"),
            );
        }
        // A bundle without lines of its own states no facts of its own:
        // its facts are its members' (unless it lowers them itself).
        if s.matches.is_empty() && !includes.is_empty() {
            s.authenticated = !said_auth || s.authenticated;
            s.encrypted = !said_enc || s.encrypted;
        }
        s.matches.sort();
        s.matches.dedup();
        s.own = s.matches.clone();
        self.pending_includes.push(includes);
        s
    }

    /// `tcp PORTS [from PORTS]`, `udp PORTS [from PORTS]`,
    /// `icmp [TYPE [code CODE]]`, `icmpv6 [TYPE [code CODE]]`, `proto N`.
    pub(super) fn service_match(
        &mut self,
        proto: &str,
        args: &[&Arg],
        span: Span,
    ) -> Option<ServiceMatch> {
        match proto {
            "tcp" | "udp" => self.port_match(proto, args, span),
            "icmp" | "icmpv6" => self.icmp_match(proto, args, span),
            _ => match args {
                [n] => match values::proto_number(n.text()) {
                    Ok(p) => Some(ServiceMatch {
                        proto: Proto::Other(p),
                        ports: Vec::new(),
                        icmp_type: None,
                        icmp_code: None,
                        sports: Vec::new(),
                    }),
                    Err(e) => {
                        self.reader.value_error(e, n.span());
                        None
                    }
                },
                _ => {
                    self.push(
                        Diagnostic::error("E0106", "`proto` takes one protocol number")
                            .at(span, "expected `proto N`")
                            .with_help("e.g. `proto 47` for GRE"),
                    );
                    None
                }
            },
        }
    }

    /// `tcp PORTS [from PORTS]` / `udp PORTS [from PORTS]`.
    fn port_match(&mut self, proto: &str, args: &[&Arg], span: Span) -> Option<ServiceMatch> {
        let split = args.iter().position(|a| a.text() == "from");
        let (dst, src) = match split {
            Some(i) => (args.get(..i).unwrap_or(&[]), args.get(i + 1..)),
            None => (args, None),
        };
        if dst.is_empty() {
            self.push(
                Diagnostic::error("E0303", format!("`{proto}` needs ports"))
                    .at(span, "no ports given")
                    .with_help(format!(
                        "write e.g. `{proto} 502` or `{proto} 1740-1743, 2455`"
                    )),
            );
            return None;
        }
        let ports = self.port_list(proto, dst, "")?;
        let sports = match src {
            None => Vec::new(),
            Some([]) => {
                let at = split.and_then(|i| args.get(i)).map_or(span, |a| a.span());
                self.push(
                    Diagnostic::error("E0311", format!("`{proto} … from` needs source ports"))
                        .at(at, "no source ports after `from`")
                        .with_help(format!(
                            "write e.g. `{proto} 47808 from 47808`, or leave out `from` for any source port"
                        )),
                );
                return None;
            }
            Some(list) => self.port_list(proto, list, "from ")?,
        };
        Some(ServiceMatch {
            proto: if proto == "tcp" {
                Proto::Tcp
            } else {
                Proto::Udp
            },
            ports,
            icmp_type: None,
            icmp_code: None,
            sports,
        })
    }

    /// One list of ports in normal form; warns about redundant entries.
    fn port_list(&mut self, proto: &str, args: &[&Arg], what: &str) -> Option<Vec<PortRange>> {
        let mut entries = Vec::new();
        let mut spans = Vec::new();
        for a in args {
            if a.text() == "from" {
                self.push(
                    Diagnostic::error("E0311", format!("`{proto}` takes one `from`"))
                        .at(a.span(), "second `from`")
                        .with_help(format!(
                            "list every source port after one `from`, e.g. `{proto} 47808 from 47808, 47809`"
                        )),
                );
                return None;
            }
            match values::port_range(a.text()) {
                Ok(p) => {
                    entries.push(p);
                    spans.push(a.span());
                }
                Err(e) => self.reader.value_error(e, a.span()),
            }
        }
        if entries.len() != args.len() {
            return None;
        }
        for i in redundant_ports(&entries) {
            if let (Some(p), Some(at)) = (entries.get(i), spans.get(i)) {
                self.push(
                    Diagnostic::warning(
                        "W0004",
                        format!("`{proto} {what}{p}` is already covered by the other ports of this list"),
                    )
                    .at(*at, "redundant port entry")
                    .with_help("remove it: the list matches the same ports without it"),
                );
            }
        }
        Some(normalise_ports(&entries))
    }

    /// `icmp [TYPE [code CODE]]` / `icmpv6 [TYPE [code CODE]]`.
    fn icmp_match(&mut self, key: &str, args: &[&Arg], span: Span) -> Option<ServiceMatch> {
        let proto = if key == "icmp" {
            Proto::Icmp
        } else {
            Proto::Icmp6
        };
        let (t, c) = match args {
            [] => (None, None),
            [t] => (Some(*t), None),
            [t, kw, c] if kw.text() == "code" => (Some(*t), Some(*c)),
            _ => {
                self.push(
                    Diagnostic::error("E0312", format!("`{key}` takes a type and optionally a code"))
                        .at(span, "expected `TYPE` or `TYPE code CODE`")
                        .with_help(format!(
                            "write `{key}` for every type, `{key} {}` for one, or `{key} 3 code 4` for one code of a type",
                            if key == "icmp" { 8 } else { 128 }
                        )),
                );
                return None;
            }
        };
        let icmp_type = match t.map(|t| (values::icmp_type(t.text()), t.span())) {
            None => None,
            Some((Ok(n), _)) => Some(n),
            Some((Err(e), at)) => {
                self.reader.value_error(e, at);
                return None;
            }
        };
        let icmp_code = match c.map(|c| (values::icmp_code(c.text()), c.span())) {
            None => None,
            Some((Ok(n), _)) => Some(n),
            Some((Err(e), at)) => {
                self.reader.value_error(e, at);
                return None;
            }
        };
        if let Some(n) = icmp_type.filter(|n| is_icmp_error(proto, *n)) {
            let family = if key == "icmp" { "IPv4" } else { "IPv6" };
            self.push(
                Diagnostic::warning(
                    "W0008",
                    format!("`{key} {n}` is an ICMP error message: it never starts a connection, so this line allows nothing"),
                )
                .at(span, "ICMP error type")
                .with_help(format!(
                    "remove the line: errors about a connection a conduit allows pass as conntrack `related` traffic on {family} (see ICMP in docs/language.md)"
                )),
            );
        }
        Some(ServiceMatch {
            proto,
            ports: Vec::new(),
            icmp_type,
            icmp_code,
            sports: Vec::new(),
        })
    }
}

/// The id of an inline service (`allow tcp 8443`), created on first use.
pub(super) fn inline_service(
    model: &mut Model,
    ids: &mut BTreeMap<String, ServiceId>,
    m: ServiceMatch,
    span: Span,
) -> ServiceId {
    let list = |p: &[PortRange]| -> String {
        p.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let from = if m.sports.is_empty() {
        String::new()
    } else {
        format!(" from {}", list(&m.sports))
    };
    let icmp = |word: &str| match (m.icmp_type, m.icmp_code) {
        (Some(t), Some(c)) => format!("{word}/{t} code {c}"),
        (Some(t), None) => format!("{word}/{t}"),
        _ => word.to_string(),
    };
    let name = match m.proto {
        Proto::Tcp => format!("tcp/{}{from}", list(&m.ports)),
        Proto::Udp => format!("udp/{}{from}", list(&m.ports)),
        Proto::Icmp => icmp("icmp"),
        Proto::Icmp6 => icmp("icmpv6"),
        Proto::Other(n) => format!("proto/{n}"),
    };
    if let Some(id) = ids.get(&name) {
        return *id;
    }
    let id = ServiceId(model.services.len() as u32);
    ids.insert(name.clone(), id);
    model.services.push(Service {
        name,
        span,
        builtin: false,
        inline: true,
        matches: vec![m.clone()],
        authenticated: false,
        encrypted: false,
        tags: BTreeSet::new(),
        description: None,
        includes: Vec::new(),
        own: vec![m],
    });
    id
}

/// Puts the inline services (created in order of first use) after the
/// named ones in name order, and renumbers the conduits' references, so
/// that `allow tcp 22, udp 53` and `allow udp 53, tcp 22` give the same
/// model and every later phase the same output.
pub(super) fn canonical_inline_order(model: &mut Model) {
    let first_inline = model
        .services
        .iter()
        .position(|s| s.inline)
        .unwrap_or(model.services.len());
    let mut order: Vec<usize> = (first_inline..model.services.len()).collect();
    order.sort_by(|a, b| {
        let name = |i: &usize| model.services.get(*i).map(|s| s.name.as_str());
        name(a).cmp(&name(b))
    });
    let mut new_id: BTreeMap<u32, ServiceId> = BTreeMap::new();
    for (pos, old) in order.iter().enumerate() {
        new_id.insert(*old as u32, ServiceId((first_inline + pos) as u32));
    }
    let mut inline = model.services.split_off(first_inline);
    let mut slots: Vec<Option<Service>> = inline.drain(..).map(Some).collect();
    for old in &order {
        if let Some(s) = slots.get_mut(old - first_inline).and_then(Option::take) {
            model.services.push(s);
        }
    }
    for c in &mut model.conduits {
        for s in &mut c.services {
            if let Some(id) = new_id.get(&s.value.0) {
                s.value = *id;
            }
        }
        c.services.sort_by_key(|s| s.value);
    }
}

impl Resolver {
    /// Resolves the `include` lines once every named service has its id:
    /// unknown and repeated members and cycles are errors (the offending
    /// line is left out), then each bundle takes its members' lines and
    /// combines their facts conservatively, members before bundles:
    /// authenticated or encrypted only if the bundle and every member
    /// is, tags united.
    pub(super) fn resolve_includes(&mut self, model: &mut Model) {
        let pending = std::mem::take(&mut self.pending_includes);
        let mut direct: Vec<Vec<Spanned<ServiceId>>> = Vec::with_capacity(pending.len());
        for (i, list) in pending.into_iter().enumerate() {
            let mut kept: Vec<Spanned<ServiceId>> = Vec::new();
            for (name, span) in list {
                let Some(id) = self.include_ref(model, i, &name, span) else {
                    continue;
                };
                if let Some(first) = kept.iter().find(|k| k.value == id) {
                    self.push(
                        Diagnostic::error("E0215", format!("service `{name}` is included twice"))
                            .at(span, "included again here")
                            .with_label(first.span, "first included here")
                            .with_help("remove one of the two: a bundle holds each member once"),
                    );
                    continue;
                }
                kept.push(Spanned::new(id, span));
            }
            direct.push(kept);
        }
        for (bundle, member) in include_cycles(&direct) {
            let (Some(b), Some(list)) = (model.services.get(bundle), direct.get_mut(bundle)) else {
                continue;
            };
            let Some(pos) = list.iter().position(|m| m.value.0 as usize == member) else {
                continue;
            };
            let edge = list.remove(pos);
            let target = model.service(edge.value).name.clone();
            self.push(
                Diagnostic::error(
                    "E0216",
                    format!("services `{}` and `{target}` include each other", b.name),
                )
                .at(edge.span, "this include closes a cycle")
                .with_help(format!(
                    "a bundle cannot contain itself: remove `{target}` here or `{}` from `{target}`'s includes",
                    b.name
                )),
            );
        }
        for i in members_first(&direct) {
            let Some(list) = direct.get(i) else { continue };
            let mut combined = model.services.get(i).cloned();
            if let Some(s) = combined.as_mut() {
                for m in list {
                    let member = model.service(m.value);
                    s.matches.extend(member.matches.iter().cloned());
                    s.authenticated &= member.authenticated;
                    s.encrypted &= member.encrypted;
                    s.tags.extend(member.tags.iter().copied());
                }
                s.matches.sort();
                s.matches.dedup();
                s.includes = list.clone();
                s.includes.sort_by_key(|m| m.value);
            }
            if let (Some(slot), Some(s)) = (model.services.get_mut(i), combined) {
                *slot = s;
            }
        }
    }

    /// The id of an included service, or a diagnostic.
    fn include_ref(
        &mut self,
        model: &Model,
        owner: usize,
        name: &str,
        span: Span,
    ) -> Option<ServiceId> {
        match self.service_ids.get(name) {
            Some(id) if id.0 as usize == owner => {
                self.push(
                    Diagnostic::error("E0216", format!("service `{name}` includes itself"))
                        .at(span, "a bundle cannot contain itself")
                        .with_help("remove this include"),
                );
                None
            }
            Some(id) => Some(*id),
            None => {
                let names = model.services.iter().map(|s| s.name.as_str());
                let help = match suggest(name, names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "include a named service: one of yours or of the built-in catalog (docs/language.md lists it; `conduit explain SERVICE` shows one)".to_string(),
                };
                self.push(
                    Diagnostic::error("E0214", format!("included service `{name}` is unknown"))
                        .at(span, "no service of this name")
                        .with_help(help),
                );
                None
            }
        }
    }
}

/// The include edges `(bundle, member)` that close a cycle, found by a
/// depth-first walk in id order with an explicit stack (no recursion on
/// user input); removing them leaves the include graph acyclic.
fn include_cycles(direct: &[Vec<Spanned<ServiceId>>]) -> Vec<(usize, usize)> {
    let mut state = vec![0u8; direct.len()];
    let mut back = Vec::new();
    for root in 0..direct.len() {
        if state.get(root).copied() != Some(0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(s) = state.get_mut(root) {
            *s = 1;
        }
        while let Some((node, next)) = stack.pop() {
            let edge = direct.get(node).and_then(|l| l.get(next));
            let Some(member) = edge.map(|m| m.value.0 as usize) else {
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                continue;
            };
            stack.push((node, next + 1));
            match state.get(member).copied() {
                Some(0) => {
                    if let Some(s) = state.get_mut(member) {
                        *s = 1;
                    }
                    stack.push((member, 0));
                }
                Some(1) => back.push((node, member)),
                _ => {}
            }
        }
    }
    back
}

/// Every service index, each after all the services it includes (the
/// include graph is acyclic here).
fn members_first(direct: &[Vec<Spanned<ServiceId>>]) -> Vec<usize> {
    let mut done = vec![false; direct.len()];
    let mut order = Vec::with_capacity(direct.len());
    for root in 0..direct.len() {
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((node, next)) = stack.pop() {
            if done.get(node).copied().unwrap_or(true) {
                continue;
            }
            match direct.get(node).and_then(|l| l.get(next)) {
                Some(m) => {
                    stack.push((node, next + 1));
                    stack.push((m.value.0 as usize, 0));
                }
                None => {
                    if let Some(d) = done.get_mut(node) {
                        *d = true;
                    }
                    order.push(node);
                }
            }
        }
    }
    order
}
