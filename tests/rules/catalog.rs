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

/// The Active Directory client bundle: the ports of Microsoft's "Service
/// overview and network port requirements for Windows" that a domain
/// member opens to a domain controller, as members of the catalog, and
/// facts no stronger than its weakest member's.
#[test]
fn ad_client_is_a_bundle_of_its_protocols() {
    let m = catalog();
    let (id, ad) = get(&m, "ad-client");
    let members: Vec<&str> = ad
        .includes
        .iter()
        .map(|i| m.service(i.value).name.as_str())
        .collect();
    for name in [
        "dns",
        "kerberos",
        "kpasswd",
        "ldap",
        "ldap-gc",
        "ldap-gc-ssl",
        "ldaps",
        "msrpc",
        "msrpc-dynamic",
        "ntp",
        "smb",
    ] {
        assert!(members.contains(&name), "ad-client lacks {name}");
    }
    let has = |p: &str, port: u16| {
        ports(ad)
            .iter()
            .any(|(q, lo, hi)| q == p && *lo <= port && port <= *hi)
    };
    for port in [53, 88, 135, 389, 445, 464, 636, 3268, 3269, 49152, 65535] {
        assert!(has("tcp", port), "tcp {port}");
    }
    for port in [53, 88, 123, 389, 464] {
        assert!(has("udp", port), "udp {port}");
    }
    // DNS, NTP and the endpoint mapper are not authenticated: neither is the bundle.
    assert!(!ad.authenticated && !ad.encrypted);
    assert!(ad.has(Tag::Pivot));
    let caps = service_caps(&m, id);
    assert!(caps.pivot && caps.write && !caps.unknown);
    let ping = get(&m, "ping").1;
    assert_eq!(ping.matches.len(), 2);
    assert!(ping
        .description
        .as_deref()
        .unwrap_or("")
        .contains("RFC 4443"));
}

/// A bundle is judged as its members: one that includes a wide user
/// service is as capable as that service, one that includes a wide
/// built-in is as capable as the built-in, not as an unknown range.
#[test]
fn bundles_are_judged_as_their_members() {
    let loaded = conduit::load::load_str(
        "b.zc",
        "service wide { tcp 1-65535 }\n\
         service with-wide { include wide, ntp }\n\
         service with-rpc { include msrpc-dynamic }\n\
         service site-auth { include kerberos, ldaps\n tcp 9389\n authenticated true\n encrypted true }\n",
    );
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let m = loaded.model;
    let caps = |n: &str| service_caps(&m, get(&m, n).0);
    assert_eq!(caps("with-wide"), caps("wide"));
    assert!(caps("with-wide").unknown);
    assert_eq!(caps("with-rpc"), caps("msrpc-dynamic"));
    assert!(!caps("with-rpc").unknown);
    let auth = get(&m, "site-auth").1;
    assert!(auth.authenticated && auth.encrypted);
    assert_eq!(ports(auth).len(), 4);
}
