//! Goldens: the riverside plant in both backends and both modes, and
//! through the shipped target profiles. `UPDATE_GOLDEN=1` rewrites them; a
//! missing golden fails.

use crate::support::{build, emit, options, riverside, root_dir};
use conduit::compile::target;
use conduit::model::Mode;
use conduit::source::SourceMap;

pub fn check_golden(name: &str, actual: &str) {
    let path = root_dir().join("tests/backends/golden").join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden {}: run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "golden {} differs (UPDATE_GOLDEN=1 rewrites it)\n--- actual ---\n{actual}",
            path.display()
        );
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor",
    }
}

#[test]
fn riverside_goldens_both_backends_both_modes() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        let nft = emit("nftables", &plan);
        assert_eq!(nft.len(), 1);
        check_golden(
            &format!("riverside/nftables-{}.nft", mode_name(mode)),
            &nft[0].text,
        );
        let ipt = emit("iptables", &plan);
        assert_eq!(
            ipt.len(),
            2,
            "riverside has IPv6 networks: an ip6tables file too"
        );
        check_golden(
            &format!("riverside/iptables-{}.rules", mode_name(mode)),
            &ipt[0].text,
        );
        check_golden(
            &format!("riverside/iptables-{}.rules.v6", mode_name(mode)),
            &ipt[1].text,
        );
    }
}

#[test]
fn riverside_goldens_through_target_profiles() {
    let model = riverside();
    for name in [
        "riverside-core-fw",
        "riverside-core-fw-iptables",
        "riverside-cell1-fw",
    ] {
        let path = root_dir().join(format!("targets/{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut sources = SourceMap::new();
        let (t, diags) = target::load(&mut sources, name, None, text, &model);
        assert!(diags.is_empty(), "{name}: {diags:?}");
        let t = t.unwrap();
        let mut opts = options(t.mode, "2026-11-28");
        opts.log_denied = t.log_denied;
        opts.interfaces = Some(t.interfaces);
        opts.target = Some(t.name);
        let plan = build(&model, &opts);
        let files = conduit::compile::generate(t.backend, &plan).unwrap();
        for f in files {
            check_golden(&format!("targets/{name}{}.out", f.suffix), &f.text);
        }
    }
}

#[test]
fn output_is_deterministic() {
    let a = emit(
        "nftables",
        &build(&riverside(), &options(Mode::Enforce, "2026-11-28")),
    );
    let b = emit(
        "nftables",
        &build(&riverside(), &options(Mode::Enforce, "2026-11-28")),
    );
    assert_eq!(a, b);
}

#[test]
fn expired_conduits_are_left_out_with_w0001() {
    let model = riverside();
    let (plan, diags) =
        conduit::compile::plan::build(&model, &options(Mode::Enforce, "2027-04-01"));
    let expired: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "W0001")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(expired.len(), 2, "{expired:?}");
    assert!(expired.iter().any(|m| m.contains("vendor-support")));
    assert!(expired.iter().any(|m| m.contains("vendor-to-plc")));
    assert!(plan.rules.iter().all(|r| !r.conduit.starts_with("vendor")));
    let nft = &emit("nftables", &plan)[0].text;
    assert!(!nft.contains("vendor"), "{nft}");
    // The day before expiry the rules are in, bounded by the expiry instant.
    let (plan, diags) =
        conduit::compile::plan::build(&model, &options(Mode::Enforce, "2027-03-30"));
    assert!(diags.is_empty());
    let nft = &emit("nftables", &plan)[0].text;
    assert!(nft.contains("meta time < 1806451200"), "{nft}");
}

#[test]
fn yaml_and_zc_forms_compile_to_the_same_rules() {
    let yaml = conduit::load_policy(&[root_dir().join("examples/riverside-yaml/plant.yaml")]);
    assert!(!yaml.has_errors(), "{:?}", yaml.diagnostics);
    for backend in ["nftables", "iptables"] {
        let opts = options(Mode::Enforce, "2026-11-28");
        let a = emit(backend, &build(&riverside(), &opts));
        let b = emit(backend, &build(&yaml.model, &opts));
        assert_eq!(a, b, "{backend}");
    }
}

/// The segments example (endpoint groups, a multi-homed historian) through
/// every backend: groups expand to their members, each leg is one address.
#[test]
fn segments_goldens_every_backend() {
    let loaded = conduit::load_policy(&[root_dir().join("examples/segments/plant.zc")]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let plan = build(&loaded.model, &options(Mode::Enforce, "2026-11-28"));
    for b in conduit::compile::BACKENDS {
        for f in emit(b.name(), &plan) {
            check_golden(
                &format!("segments/{}-enforce{}.out", b.name(), f.suffix),
                &f.text,
            );
        }
    }
}

/// Bundles, source ports and exact ICMP/ICMPv6 in every backend, from the
/// `.zc` and the YAML form alike (both must give the same bytes).
#[test]
fn services_goldens_every_backend() {
    let dir = root_dir().join("tests/backends/golden/services");
    let zc = conduit::load_policy(&[dir.join("policy.zc")]);
    assert!(!zc.has_errors(), "{:?}", zc.diagnostics);
    let yaml = conduit::load_policy(&[dir.join("policy.yaml")]);
    assert!(!yaml.has_errors(), "{:?}", yaml.diagnostics);
    let opts = options(Mode::Enforce, "2026-11-28");
    let plan = build(&zc.model, &opts);
    assert_eq!(plan, build(&yaml.model, &opts), "YAML and .zc plans differ");
    for b in conduit::compile::BACKENDS {
        for f in emit(b.name(), &plan) {
            check_golden(&format!("services/{}{}", b.name(), f.suffix), &f.text);
        }
    }
}
