//! The built-in service catalog (policies/services.zc): the facts the rules
//! and the attack model rely on, and that every entry documents itself.

use conduit::graph::caps::service_caps;
use conduit::model::{Model, Proto, Service, ServiceId, Tag};

fn catalog() -> Model {
    let loaded = conduit::load::load_str("empty.zc", "");
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.model
}

fn get<'m>(m: &'m Model, name: &str) -> (ServiceId, &'m Service) {
    let id = m
        .service_by_name(name)
        .unwrap_or_else(|| panic!("no service {name}"));
    (id, m.service(id))
}

/// `(proto, lo, hi)` of every port range of a service.
fn ports(s: &Service) -> Vec<(String, u16, u16)> {
    s.matches
        .iter()
        .flat_map(|m| {
            let p = match m.proto {
                Proto::Tcp => "tcp",
                Proto::Udp => "udp",
                _ => "other",
            };
            m.ports.iter().map(move |r| (p.to_string(), r.lo, r.hi))
        })
        .collect()
}

#[test]
fn corrected_entries() {
    let m = catalog();
    let t = |p: &str, lo: u16| (p.to_string(), lo, lo);
    assert_eq!(ports(get(&m, "ge-srtp").1), vec![t("tcp", 18245)]);
    assert_eq!(ports(get(&m, "ge-egd").1), vec![t("udp", 18246)]);
    assert_eq!(ports(get(&m, "enip").1), vec![t("tcp", 44818)]);
    assert_eq!(ports(get(&m, "enip-discovery").1), vec![t("udp", 44818)]);
    assert_eq!(ports(get(&m, "enip-io").1), vec![t("udp", 2222)]);
    for name in ["modbus", "omron-fins", "niagara-fox", "melsoft", "umas"] {
        let s = get(&m, name).1;
        assert!(s.has(Tag::Pivot) && s.has(Tag::Write), "{name}");
    }
    let mqtt = get(&m, "mqtt").1;
    assert!(!mqtt.authenticated && mqtt.has(Tag::Write));
    assert!(get(&m, "mqtt-tls").1.has(Tag::Write));
    assert!(!get(&m, "s7comm-plus").1.authenticated);
    let https = get(&m, "https").1;
    assert!(https.has(Tag::Pivot) && https.has(Tag::Write));
}

#[test]
fn reverse_channels_of_the_catalog() {
    let m = catalog();
    for name in [
        "teamviewer",
        "anydesk",
        "screenconnect",
        "splashtop",
        "secomea",
        "ewon-talk2m",
        "openvpn",
        "wireguard",
        "ike",
    ] {
        assert!(service_caps(&m, get(&m, name).0).reverse_pivot, "{name}");
    }
    for name in [
        "mqtt",
        "mqtt-tls",
        "mqtt-ws",
        "mqtt-wss",
        "amqp",
        "amqps",
        "opcua-reverse",
    ] {
        let c = service_caps(&m, get(&m, name).0);
        assert!(c.reverse_write && !c.reverse_pivot, "{name}");
    }
    assert!(!service_caps(&m, get(&m, "ssh").0).reverse_pivot);
}

#[test]
fn every_entry_has_ports_facts_and_a_described_source() {
    let m = catalog();
    let builtin: Vec<&Service> = m.services.iter().filter(|s| s.builtin).collect();
    assert!(builtin.len() >= 100, "{} services", builtin.len());
    for s in builtin {
        assert!(!s.matches.is_empty(), "{} has no ports", s.name);
        let d = s.description.as_deref().unwrap_or("");
        assert!(d.len() >= 10, "{} has no description", s.name);
    }
}
