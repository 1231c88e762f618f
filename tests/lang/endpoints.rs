//! Multicast groups and DNS names on flow lines: both forms resolve to one
//! model, `fmt` keeps them, and the tree keeps their spans.

use conduit::load_policy;
use conduit::model::export::export;
use conduit::model::EndpointKind;
use conduit::source::FileId;
use conduit::syntax::tree::{EndKind, ItemKind};
use std::path::PathBuf;

#[test]
fn the_endpoints_example_resolves_alike_in_both_forms() {
    let zc = load_policy(&[PathBuf::from("examples/endpoints/plant.zc")]);
    assert!(zc.diagnostics.is_empty(), "{:?}", zc.diagnostics);
    let yaml = load_policy(&[PathBuf::from("examples/endpoints-yaml/plant.yaml")]);
    assert!(yaml.diagnostics.is_empty(), "{:?}", yaml.diagnostics);
    assert_eq!(export(&zc.model, true), export(&yaml.model, true));
    let m = &zc.model;
    let io = m.conduit(m.conduit_by_name("implicit-io").unwrap());
    let [group] = io.responders.as_slice() else {
        panic!("{:?}", io.responders)
    };
    assert_eq!(group.zone, m.zone_by_name("line2-drives").unwrap());
    assert_eq!(
        group.kind,
        EndpointKind::Multicast("239.192.1.0/24".parse().unwrap())
    );
    assert_eq!(m.fqdns, ["global.azure-devices-provisioning.net"]);
    let names: Vec<String> = m
        .conduits
        .iter()
        .flat_map(|c| c.responders.iter().map(|e| m.endpoint_name(e)))
        .collect();
    assert_eq!(
        names,
        [
            "multicast 239.192.1.0/24 in line2-drives",
            "multicast ff0e::181 in line2",
            "fqdn \"global.azure-devices-provisioning.net\" in internet",
        ]
    );
}

#[test]
fn flow_line_endpoints_keep_their_spans_and_layout() {
    let src = "conduit c {\n  a.x,b->multicast 239.1.1.1 in z ,fqdn \"Hub.Example.net\"  in  inet,multicast\n}\n";
    let (doc, diags) = conduit::syntax::parse(FileId(0), src);
    assert!(diags.is_empty(), "{diags:?}");
    let block = doc.items[0].block().unwrap();
    let ItemKind::Flow { responders, .. } = &block.items[0].kind else {
        panic!("not a flow");
    };
    let kinds: Vec<EndKind> = responders.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EndKind::Multicast, EndKind::Fqdn, EndKind::Name]);
    let text = |s: conduit::source::Span| &src[s.start as usize..s.end as usize];
    assert_eq!(text(responders[0].span), "multicast 239.1.1.1 in z");
    assert_eq!(text(responders[0].word.span), "239.1.1.1");
    assert_eq!(
        text(responders[1].span),
        "fqdn \"Hub.Example.net\"  in  inet"
    );
    assert_eq!(responders[1].word.text, "Hub.Example.net");
    // A zone named `multicast` is still a bare word.
    assert_eq!(responders[2].text, "multicast");
    assert_eq!(
        conduit::syntax::format::format(&doc),
        "conduit c { a.x, b -> multicast 239.1.1.1 in z, fqdn \"Hub.Example.net\" in inet, multicast }\n"
    );
}

#[test]
fn dns_names_are_lower_cased_and_order_free() {
    let policy = |order: &[&str]| {
        let conduits: Vec<String> = order
            .iter()
            .map(|n| {
                format!(
                    "conduit c-{n} {{ ops -> fqdn \"{n}.Example.net\" in inet; allow tcp 443 }}\n"
                )
            })
            .collect();
        let text = format!(
            "zone inet {{ class external; network 0.0.0.0/0 }}\nzone ops {{ network 10.0.0.0/24 }}\n{}",
            conduits.concat()
        );
        let loaded = conduit::load::load_str("p.zc", &text);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.model
    };
    let a = policy(&["b", "a", "c"]);
    let b = policy(&["c", "b", "a"]);
    assert_eq!(a.fqdns, ["a.example.net", "b.example.net", "c.example.net"]);
    assert_eq!(export(&a, true), export(&b, true));
}

#[test]
fn repeated_groups_collapse_and_stay_apart_from_their_zone() {
    let text = "zone z { network 10.1.0.0/24 }\nzone ops { network 10.0.0.0/24 }\nconduit c {\n    ops -> multicast 239.1.1.1 in z, z, multicast 239.1.1.1 in z, fqdn \"a.example.net\" in z, fqdn \"A.example.NET\" in z\n    allow udp 5000\n}\n";
    let loaded = conduit::load::load_str("p.zc", text);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let c = &loaded.model.conduits[0];
    let names: Vec<String> = c
        .responders
        .iter()
        .map(|e| loaded.model.endpoint_name(e))
        .collect();
    assert_eq!(
        names,
        [
            "z",
            "multicast 239.1.1.1 in z",
            "fqdn \"a.example.net\" in z"
        ]
    );
}
