//! Services: protocol lines, security facts, tags, and inline services.

use super::*;

const SERVICE_ATTRS: &[(&str, Times)] = &[
    ("tcp", Times::Many),
    ("udp", Times::Many),
    ("icmp", Times::Many),
    ("proto", Times::Many),
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
        };
        for (key, item) in self
            .reader
            .attrs(d.item.block(), "service", SERVICE_ATTRS, false)
        {
            match key {
                "tcp" | "udp" | "icmp" | "proto" => {
                    let args: Vec<&Arg> = item.args().iter().map(|a| &a.arg).collect();
                    if let Some(m) = self.service_match(key, &args, item.span) {
                        s.matches.push(m);
                    }
                }
                "authenticated" => s.authenticated = self.flag(item),
                "encrypted" => s.encrypted = self.flag(item),
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
        if s.matches.is_empty() {
            self.push(
                Diagnostic::error("E0111", format!("service `{}` matches no traffic", s.name))
                    .at(s.span, "no `tcp`, `udp`, `icmp` or `proto` line")
                    .with_help("add e.g. `tcp 502` or `udp 47808`"),
            );
        }
        s.matches.sort();
        s
    }

    /// `tcp PORTS`, `udp PORTS`, `icmp [TYPE]`, `proto N`.
    pub(super) fn service_match(
        &mut self,
        proto: &str,
        args: &[&Arg],
        span: Span,
    ) -> Option<ServiceMatch> {
        match proto {
            "tcp" | "udp" => {
                if args.is_empty() {
                    self.push(
                        Diagnostic::error("E0303", format!("`{proto}` needs ports"))
                            .at(span, "no ports given")
                            .with_help(format!(
                                "write e.g. `{proto} 502` or `{proto} 1740-1743, 2455`"
                            )),
                    );
                    return None;
                }
                let mut entries = Vec::new();
                let mut spans = Vec::new();
                for a in args {
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
                                format!("`{proto} {p}` is already covered by the other ports of this list"),
                            )
                            .at(*at, "redundant port entry")
                            .with_help("remove it: the list matches the same ports without it"),
                        );
                    }
                }
                let ports = normalise_ports(&entries);
                Some(ServiceMatch {
                    proto: if proto == "tcp" {
                        Proto::Tcp
                    } else {
                        Proto::Udp
                    },
                    ports,
                    icmp_type: None,
                })
            }
            "icmp" => match args {
                [] => Some(ServiceMatch {
                    proto: Proto::Icmp,
                    ports: Vec::new(),
                    icmp_type: None,
                }),
                [t] => match values::icmp_type(t.text()) {
                    Ok(n) => Some(ServiceMatch {
                        proto: Proto::Icmp,
                        ports: Vec::new(),
                        icmp_type: Some(n),
                    }),
                    Err(e) => {
                        self.reader.value_error(e, t.span());
                        None
                    }
                },
                _ => {
                    self.push(
                        Diagnostic::error("E0106", "`icmp` takes at most one type")
                            .at(span, "too many values")
                            .with_help("write `icmp` for all types or `icmp 8` for one"),
                    );
                    None
                }
            },
            _ => match args {
                [n] => match values::proto_number(n.text()) {
                    Ok(p) => Some(ServiceMatch {
                        proto: Proto::Other(p),
                        ports: Vec::new(),
                        icmp_type: None,
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
}

/// The id of an inline service (`allow tcp 8443`), created on first use.
pub(super) fn inline_service(
    model: &mut Model,
    ids: &mut BTreeMap<String, ServiceId>,
    m: ServiceMatch,
    span: Span,
) -> ServiceId {
    let ports: Vec<String> = m.ports.iter().map(|p| p.to_string()).collect();
    let name = match m.proto {
        Proto::Tcp => format!("tcp/{}", ports.join(",")),
        Proto::Udp => format!("udp/{}", ports.join(",")),
        Proto::Icmp => m
            .icmp_type
            .map(|t| format!("icmp/{t}"))
            .unwrap_or_else(|| "icmp".to_string()),
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
        matches: vec![m],
        authenticated: false,
        encrypted: false,
        tags: BTreeSet::new(),
        description: None,
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
