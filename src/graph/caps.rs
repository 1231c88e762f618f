//! What a service lets an attacker do, for the attack model and the rules.
//!
//! One answer for `check` and `blast` alike:
//!
//! - a service's tags say what it can do (`pivot`, `write`);
//! - an inline service (`allow tcp 3389`) or any service with a wide port
//!   range (1024 ports or more, e.g. `tcp 1-65535`) can carry any protocol:
//!   it is pivot- and write-capable, unless every port of it is a single
//!   port that a built-in service uses, in which case it can do what the
//!   most specific built-in services on that port can (`allow tcp 443` is
//!   `https`, `allow tcp 3389` is `rdp`, `allow udp 123` is `ntp`);
//! - some services are controlled from the responder's side (a reverse
//!   channel): remote-access tools (tag `remote-tool`) and the catalogued
//!   VPN and tunnel services give the responder a foothold in the
//!   initiator; message brokers (MQTT, AMQP, their TLS and WebSocket
//!   forms) and OPC UA reverse connect let the responder write into the
//!   initiator.

use crate::model::{Model, Proto, Service, ServiceId, Tag};

/// Built-in services whose responder takes over the initiator (tunnels).
const REVERSE_PIVOT: &[&str] = &["ike", "openvpn", "wireguard"];

/// Built-in services whose responder can send commands or writes back to
/// the initiator (broker subscriptions, reverse-connect sessions).
const REVERSE_WRITE: &[&str] = &[
    "mqtt",
    "mqtt-tls",
    "mqtt-ws",
    "mqtt-wss",
    "amqp",
    "amqps",
    "opcua-reverse",
];

/// A port range at least this wide can carry any protocol.
pub const WIDE_RANGE: u32 = 1024;

/// What a service carries, as the attack model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    /// Interactive, admin or code download from initiator to responder.
    pub pivot: bool,
    /// Process writes or program download from initiator to responder.
    pub write: bool,
    /// The responder gains a foothold in the initiator.
    pub reverse_pivot: bool,
    /// The responder can write into the initiator.
    pub reverse_write: bool,
    /// The protocol is not known (inline or wide ports): its security
    /// properties are unknown, not absent.
    pub unknown: bool,
}

impl Caps {
    fn union(self, o: Caps) -> Caps {
        Caps {
            pivot: self.pivot || o.pivot,
            write: self.write || o.write,
            reverse_pivot: self.reverse_pivot || o.reverse_pivot,
            reverse_write: self.reverse_write || o.reverse_write,
            unknown: self.unknown || o.unknown,
        }
    }

    const ANY: Caps = Caps {
        pivot: true,
        write: true,
        reverse_pivot: false,
        reverse_write: false,
        unknown: true,
    };
}

/// The capabilities of one service, from its own tags and name.
fn declared(s: &Service) -> Caps {
    let named = |list: &[&str]| s.builtin && list.contains(&s.name.as_str());
    Caps {
        pivot: s.has(Tag::Pivot) || s.has(Tag::RemoteTool),
        write: s.has(Tag::Write),
        reverse_pivot: s.has(Tag::RemoteTool) || named(REVERSE_PIVOT),
        reverse_write: named(REVERSE_WRITE),
        unknown: false,
    }
}

/// The capabilities of `id` in `model` (see the module documentation). A
/// bundle (`include …`) can do what its own lines and every member,
/// directly or through another bundle, can: each member is judged as it
/// is on its own, so a bundle that includes a built-in wide service
/// (`msrpc-dynamic`) is judged like that service, not like an inline
/// port range.
pub fn service_caps(model: &Model, id: ServiceId) -> Caps {
    let mut caps = Caps::default();
    let mut seen = vec![id];
    let mut todo = vec![id];
    while let Some(next) = todo.pop() {
        let s = model.service(next);
        caps = caps.union(line_caps(model, s, &s.own));
        for m in &s.includes {
            if !seen.contains(&m.value) {
                seen.push(m.value);
                todo.push(m.value);
            }
        }
    }
    caps
}

/// The capabilities of a service's own lines (see the module documentation).
fn line_caps(model: &Model, s: &Service, lines: &[crate::model::ServiceMatch]) -> Caps {
    let mut caps = declared(s);
    let wide = lines.iter().any(|m| {
        matches!(m.proto, Proto::Tcp | Proto::Udp)
            && m.ports.iter().any(|r| r.width() >= WIDE_RANGE)
    });
    if s.builtin || !(s.inline || wide) {
        return caps;
    }
    caps.unknown = true;
    for m in lines {
        match m.proto {
            Proto::Icmp | Proto::Icmp6 => {}
            Proto::Other(_) => caps = caps.union(Caps::ANY),
            Proto::Tcp | Proto::Udp => {
                for r in &m.ports {
                    caps = caps.union(if r.width() == 1 {
                        known_port(model, m.proto, r.lo).unwrap_or(Caps::ANY)
                    } else {
                        Caps::ANY
                    });
                }
            }
        }
    }
    caps
}

/// What the most specific built-in services on `proto`/`port` can do, if
/// any uses it: among those that use the port, the ones with the fewest
/// ports (so `udp 123` is `ntp`, not the Active Directory bundle), united.
fn known_port(model: &Model, proto: Proto, port: u16) -> Option<Caps> {
    let width = |s: &Service| -> u64 {
        s.matches
            .iter()
            .flat_map(|m| m.ports.iter().map(|r| u64::from(r.width())))
            .sum::<u64>()
            .max(1)
    };
    let users: Vec<&Service> = model
        .services
        .iter()
        .filter(|s| s.builtin)
        .filter(|s| {
            s.matches
                .iter()
                .any(|m| m.proto == proto && m.ports.iter().any(|r| r.contains(port)))
        })
        .collect();
    let narrowest = users.iter().map(|s| width(s)).min()?;
    Some(
        users
            .iter()
            .filter(|s| width(s) == narrowest)
            .fold(Caps::default(), |acc, s| acc.union(declared(s))),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    fn caps_of(allow: &str) -> Caps {
        let text = format!(
            "zone a {{ purdue 3; network 10.0.0.0/24 }}\nzone b {{ purdue 2; network 10.1.0.0/24 }}\nconduit c {{ a -> b\n allow {allow} }}\n"
        );
        let loaded = crate::load::load_str("t.zc", &text);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        let m = &loaded.model;
        let c = m.conduit(m.conduit_by_name("c").unwrap());
        service_caps(m, c.services[0].value)
    }

    #[test]
    fn inline_ports_take_the_catalog_meaning_or_are_unknown() {
        let https = caps_of("tcp 443");
        assert!(https.pivot && https.write && https.unknown);
        let ntp = caps_of("udp 123");
        assert!(!ntp.pivot && !ntp.write && ntp.unknown);
        let rdp = caps_of("tcp 3389");
        assert!(rdp.pivot && !rdp.write);
        let modbus = caps_of("tcp 502");
        assert!(modbus.write);
        let all = caps_of("tcp 1-65535");
        assert!(all.pivot && all.write && all.unknown);
        let odd = caps_of("tcp 40001");
        assert!(odd.pivot && odd.write);
    }

    #[test]
    fn reverse_channels() {
        let tv = caps_of("teamviewer");
        assert!(tv.reverse_pivot && tv.pivot);
        let mqtt = caps_of("mqtt-tls");
        assert!(mqtt.reverse_write && !mqtt.reverse_pivot);
        let ssh = caps_of("ssh");
        assert!(ssh.pivot && !ssh.reverse_pivot && !ssh.reverse_write);
    }
}
