//! Target profile validation: diagnostics with spans into the YAML file.

use crate::support::riverside;
use conduit::compile::target;
use conduit::diagnostics::Diagnostic;
use conduit::source::SourceMap;

fn load(text: &str) -> (bool, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new();
    let (t, diags) = target::load(
        &mut sources,
        "fw.yaml",
        None,
        text.to_string(),
        &riverside(),
    );
    (t.is_some(), diags, sources)
}

/// The single diagnostic's code and the text its primary span covers.
fn only(text: &str) -> (String, String) {
    let (ok, diags, sources) = load(text);
    assert!(!ok);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    let span = d.primary.as_ref().unwrap().span;
    (d.code.clone(), sources.snippet(span).to_string())
}

#[test]
fn a_good_profile_loads() {
    let (ok, diags, _) = load("name: fw\nbackend: iptables\ninterfaces:\n  line1: eth4.101\n  supervisory: eth3\nmode: monitor\n");
    assert!(ok && diags.is_empty(), "{diags:?}");
}

#[test]
fn unknown_zone_is_e0501_at_the_zone() {
    let (code, at) =
        only("name: fw\nbackend: nftables\ninterfaces:\n  line1: eth1\n  line9: eth2\n");
    assert_eq!((code.as_str(), at.as_str()), ("E0501", "line9"));
}

#[test]
fn unknown_backend_is_e0502_at_the_value() {
    let (code, at) = only("name: fw\nbackend: pf\ninterfaces:\n  line1: eth1\n");
    assert_eq!((code.as_str(), at.as_str()), ("E0502", "pf"));
    // A backend the language names but that is not generated yet.
    if let Some(planned) = conduit::compile::PLANNED.first() {
        let (code, _) = only(&format!(
            "name: fw\nbackend: {planned}\ninterfaces:\n  line1: eth1\n"
        ));
        assert_eq!(code, "E0502");
    }
}

#[test]
fn vendor_interface_names_are_not_linux_names() {
    // An ASA nameif may be longer than Linux's 15 bytes.
    let (ok, diags, _) =
        load("name: fw\nbackend: cisco-asa\ninterfaces:\n  line1: line1-cell-trunk-vlan101\n");
    assert!(ok && diags.is_empty(), "{diags:?}");
    let (code, at) = only("name: fw\nbackend: cisco-asa\ninterfaces:\n  line1: \"in side\"\n");
    assert_eq!((code.as_str(), at.as_str()), ("E0504", "\"in side\""));
}

#[test]
fn zone_without_networks_on_a_shared_interface_is_e0503() {
    let mut model = riverside();
    let sis = model.zone_by_name("sis").unwrap();
    model.zones[sis.0 as usize].networks.clear();
    let mut sources = SourceMap::new();
    let text = "name: fw\nbackend: nftables\ninterfaces:\n  line1: eth1\n  sis: eth1\n";
    let (t, diags) = target::load(&mut sources, "fw.yaml", None, text.to_string(), &model);
    assert!(t.is_none());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "E0503");
    assert_eq!(
        sources.snippet(diags[0].primary.as_ref().unwrap().span),
        "sis"
    );
    // Zones with networks may share an interface: addresses tell them apart.
    let (ok, diags, _) =
        load("name: fw\nbackend: nftables\ninterfaces:\n  internet: eth0\n  enterprise: eth0\n");
    assert!(ok, "{diags:?}");
}

#[test]
fn other_problems_are_e0504_with_a_span() {
    let (code, at) = only("name: fw\nbackend: nftables\ninterfaces:\n  line1: eth1\nmode: audit\n");
    assert_eq!((code.as_str(), at.as_str()), ("E0504", "audit"));
    let (code, at) =
        only("name: fw\nbackend: nftables\ninterfaces:\n  line1: \"eth1\\\" accept\"\n");
    assert_eq!(code, "E0504");
    assert!(at.contains("eth1"), "{at}");
    let (code, at) =
        only("name: fw\nbackend: nftables\ninterfaces:\n  line1: eth1\nlog-denid: true\n");
    assert_eq!(code, "E0504");
    assert!(at.starts_with("log-denid"), "{at}");
    let (code, _) = only("name: fw\nbackend: nftables\n");
    assert_eq!(code, "E0504");
    let (code, _) = only("name: [fw\n");
    assert_eq!(code, "E0504");
}
