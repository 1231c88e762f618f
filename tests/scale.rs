//! The synthetic plant generator (`examples/gen_plant.rs`): its output
//! loads without a single diagnostic, is deterministic, and its counts
//! match the resolved model. Small sizes only; the large sizes are for
//! `benches/phases.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../examples/gen_plant.rs"]
#[allow(dead_code)]
mod gen_plant;

use gen_plant::{generate, Params};
use std::path::PathBuf;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("conduit-scale-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_plant(params: &Params, tag: &str) -> (TempDir, gen_plant::Plant) {
    let dir = TempDir::new(tag);
    let plant = generate(params);
    for f in &plant.files {
        std::fs::write(dir.0.join(&f.name), &f.text).unwrap();
    }
    (dir, plant)
}

fn render(loaded: &conduit::Loaded) -> String {
    let style = conduit::diagnostics::render::TextStyle {
        color: false,
        width: 100,
    };
    conduit::diagnostics::render::text_all(&loaded.sources, &loaded.diagnostics, style)
}

#[test]
fn three_sites_load_without_any_diagnostic() {
    let (dir, plant) = write_plant(&Params::new(3, 1), "clean");
    let loaded = conduit::load_policy(std::slice::from_ref(&dir.0));
    assert!(
        loaded.diagnostics.is_empty(),
        "generated plant has diagnostics:\n{}",
        render(&loaded)
    );
    let m = &loaded.model;
    let s = plant.stats;
    assert_eq!(m.zones.len(), s.zones);
    assert_eq!(m.conduits.len(), s.conduits);
    assert_eq!(
        m.zones.iter().map(|z| z.assets.len()).sum::<usize>(),
        s.assets
    );
    assert_eq!(m.waivers.len(), s.waivers);
    assert_eq!(loaded.files.len(), plant.files.len());
    // The shape the benchmarks rely on: about ten zones per site, several
    // conduits per zone, assets on both address families.
    assert!((8 * 3..=13 * 3 + 5).contains(&s.zones), "{s:?}");
    assert!(s.conduits >= 3 * s.zones, "{s:?}");
    assert!(m
        .zones
        .iter()
        .flat_map(|z| &z.assets)
        .any(|a| a.address.value.is_ipv6()));
    assert!(m
        .conduits
        .iter()
        .any(|c| c.vendor.is_some() && c.expires.is_some() && c.schedule.is_some()));
    assert!(m
        .zones
        .iter()
        .any(|z| z.class == conduit::model::ZoneClass::Safety && z.bpcs.is_some()));
}

#[test]
fn one_site_file_loads_on_its_own_through_its_import() {
    let (dir, _) = write_plant(&Params::new(2, 7), "import");
    let loaded = conduit::load_policy(&[dir.0.join("site-0002.zc")]);
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    assert_eq!(loaded.files.len(), 2, "the site file and shared.zc");
}

#[test]
fn sites_with_waivers_load_clean() {
    // Find a seed whose first sites include a commissioning waiver, so the
    // waiver syntax the generator writes is exercised here too.
    let params = (1..200)
        .map(|seed| Params::new(2, seed))
        .find(|p| generate(p).stats.waivers > 0)
        .expect("some seed yields a waiver");
    let (dir, plant) = write_plant(&params, "waiver");
    let loaded = conduit::load_policy(std::slice::from_ref(&dir.0));
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    assert_eq!(loaded.model.waivers.len(), plant.stats.waivers);
    assert!(loaded
        .model
        .conduits
        .iter()
        .any(|c| c.mode == conduit::model::Mode::Monitor));
}

/// The generated plant is realistic, not rule bait: the whole rule pack
/// finds nothing but the commissioning findings its waivers accept, and
/// every conduit compiles to firewall rules. PATH-005 does not run: the
/// generator gives some cells an unpatchable PLC, and the designed remote
/// engineering path (jump host, terminal server, EWS) reaches every cell,
/// a finding the generator does not waive.
#[test]
fn rules_find_nothing_unwaived_and_every_conduit_compiles() {
    use conduit::check::{self, RuleConfig};
    use conduit::compile::{self, PlanOptions};
    let params = (1..200)
        .map(|seed| Params::new(3, seed))
        .find(|p| generate(p).stats.waivers > 0)
        .expect("some seed yields a waiver");
    let (dir, plant) = write_plant(&params, "rules");
    let loaded = conduit::load_policy(std::slice::from_ref(&dir.0));
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    let mut config = RuleConfig::default();
    config.disable("PATH-005");
    let report = check::run(&loaded.model, &config, params.as_of);
    let active: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| format!("{} {}: {}", f.rule(), f.subject_name, f.diagnostic.message))
        .collect();
    assert!(active.is_empty(), "active findings:\n{}", active.join("\n"));
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(
        report.count_waived(),
        plant.stats.waivers,
        "each waiver accepts one finding"
    );
    let opts = PlanOptions {
        mode: conduit::model::Mode::Enforce,
        log_denied: true,
        as_of: params.as_of,
        interfaces: None,
        target: None,
    };
    let (plan, diags) = compile::plan::build(&loaded.model, &opts);
    assert!(diags.is_empty(), "{diags:?}");
    for backend in compile::BACKENDS {
        let files = compile::generate(*backend, &plan)
            .unwrap_or_else(|d| panic!("{}: {d:?}", backend.name()));
        assert!(
            files.iter().all(|f| !f.text.is_empty()),
            "{}",
            backend.name()
        );
    }
    let blast = conduit::graph::analyze(
        &loaded.model,
        &conduit::graph::BlastOptions {
            as_of: Some(params.as_of),
            ..Default::default()
        },
    );
    assert!(
        !blast.safety_reached(),
        "no path from IT reaches a safety zone"
    );
}

#[test]
fn output_is_deterministic_and_sites_are_independent_of_the_count() {
    let a = generate(&Params::new(3, 42));
    let b = generate(&Params::new(3, 42));
    let texts = |p: &gen_plant::Plant| {
        p.files
            .iter()
            .map(|f| (f.name.clone(), f.text.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&a), texts(&b));
    let more = generate(&Params::new(5, 42));
    assert_eq!(
        texts(&a)[..4],
        texts(&more)[..4],
        "site 3 must not depend on --sites"
    );
    let other = generate(&Params::new(3, 43));
    assert_ne!(texts(&a), texts(&other), "the seed must matter");
}

/// The parser's fast paths used by large plants (strings without escapes,
/// words next to arrows) give the same tree as the general paths.
mod parser_fast_paths {
    use conduit::source::FileId;
    use conduit::syntax::{self, tree::Arg, tree::ItemKind};

    fn first_arg(text: &str) -> String {
        let (doc, diags) = syntax::parse(FileId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        match doc.items[0].args()[0].arg {
            Arg::Str(ref s) => {
                assert_eq!(
                    s.span.end as usize - s.span.start as usize,
                    text.len() - "key ".len()
                );
                s.value.clone()
            }
            Arg::Word(ref w) => panic!("expected a string, got word {}", w.text),
        }
    }

    #[test]
    fn strings_with_and_without_escapes() {
        assert_eq!(first_arg(r#"key "plain text""#), "plain text");
        assert_eq!(first_arg(r#"key """#), "");
        assert_eq!(first_arg(r#"key "say \"hi\"\tthere""#), "say \"hi\"\tthere");
        assert_eq!(first_arg(r#"key "back\\slash""#), "back\\slash");
        assert_eq!(
            first_arg("key \"caf\u{e9} \u{2192} ok\""),
            "caf\u{e9} \u{2192} ok"
        );
        let (_, diags) = syntax::parse(FileId(0), "key \"open\nnext 1\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "E0102");
        let (_, diags) = syntax::parse(FileId(0), "key \"bad \\q escape\"\n");
        assert_eq!(diags[0].code, "E0101");
    }

    #[test]
    fn words_stop_at_arrows() {
        for (text, left, right) in [
            ("a->b", "a", "b"),
            ("a-b->c-d", "a-b", "c-d"),
            ("x.y-> z", "x.y", "z"),
            ("p <-> q-r", "p", "q-r"),
        ] {
            let (doc, diags) = syntax::parse(FileId(0), text);
            assert!(diags.is_empty(), "{text}: {diags:?}");
            let ItemKind::Flow {
                initiators,
                responders,
                ..
            } = &doc.items[0].kind
            else {
                panic!("{text}: not a flow");
            };
            assert_eq!(initiators[0].text, left, "{text}");
            assert_eq!(responders[0].text, right, "{text}");
        }
    }
}

/// Inline services (`allow tcp 8443`) are found by name, not by scanning
/// every service: many distinct inline ports stay linear, and equal ones
/// are still shared.
mod inline_services {
    const ZONES: &str = "zone a { purdue 2; sl 1; owner \"x\"; network 10.0.0.0/16; asset h 10.0.0.1 { role server } }\n\
                         zone b { purdue 2; sl 1; owner \"x\"; network 10.1.0.0/16; asset h 10.1.0.1 { role server } }\n";

    #[test]
    fn equal_inline_services_are_shared_and_named_lookups_still_work() {
        let text = format!(
            "{ZONES}conduit c1 {{ a.h -> b.h; allow tcp 8443, https }}\n\
             conduit c2 {{ a.h -> b.h; allow tcp 8443; allow udp 5000-5010 }}\n\
             conduit c3 {{ a.h -> b.h; allow tcp/8443 }}\n"
        );
        let loaded = conduit::load_str("inline.zc", &text);
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.clone(), d.message.clone()))
            .collect();
        assert_eq!(
            errors,
            vec![(
                "E0203".to_string(),
                "unknown service `tcp/8443`".to_string()
            )]
        );
        let m = &loaded.model;
        let c1 = m.conduit(m.conduit_by_name("c1").unwrap());
        let c2 = m.conduit(m.conduit_by_name("c2").unwrap());
        let inline = |c: &conduit::model::Conduit| {
            c.services
                .iter()
                .map(|s| s.value)
                .filter(|id| m.service(*id).inline)
                .collect::<Vec<_>>()
        };
        assert_eq!(inline(c1).len(), 1);
        assert_eq!(inline(c2).len(), 2);
        assert!(
            inline(c2).contains(&inline(c1)[0]),
            "tcp 8443 is one service"
        );
        assert_eq!(m.services.iter().filter(|s| s.inline).count(), 2);
        let https = m.service_by_name("https").unwrap();
        assert!(c1.services.iter().any(|s| s.value == https));
        for id in inline(c2) {
            assert_eq!(m.service_by_name(&m.service(id).name), Some(id));
        }
    }

    #[test]
    fn thousands_of_distinct_inline_ports_resolve() {
        let mut text = ZONES.to_string();
        for i in 0..3000 {
            text.push_str(&format!(
                "conduit c{i} {{ a.h -> b.h; allow tcp {} }}\n",
                10_000 + i
            ));
        }
        let loaded = conduit::load_str("many.zc", &text);
        assert!(loaded.diagnostics.is_empty());
        assert_eq!(
            loaded.model.services.iter().filter(|s| s.inline).count(),
            3000
        );
        for (i, c) in loaded.model.conduits.iter().enumerate().take(50) {
            let s = loaded.model.service(c.services[0].value);
            assert!(s.inline && s.name.starts_with("tcp/"), "{i}: {}", s.name);
        }
    }
}

/// Assets are found by name through a sorted index: endpoints name the
/// right asset whatever the declaration order, duplicates and unknown
/// names are still reported.
mod asset_lookup {
    #[test]
    fn endpoints_duplicates_and_unknown_assets() {
        let text = "zone a { purdue 2; sl 1; owner \"x\"; network 10.0.0.0/24\n\
                      asset zeta 10.0.0.9 { role server }\n\
                      asset alpha 10.0.0.1 { role server }\n\
                      asset mid 10.0.0.5 { role server }\n\
                      asset alpha 10.0.0.2 { role server }\n}\n\
                    zone b { purdue 2; sl 1; owner \"x\"; network 10.1.0.0/24; asset s 10.1.0.1 { role server } }\n\
                    conduit c { a.mid, a.zeta, a.alpha -> b.s; allow https }\n\
                    conduit d { a.alph -> b.s; allow https }\n";
        let loaded = conduit::load_str("assets.zc", text);
        let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["E0204", "E0202"], "{:?}", loaded.diagnostics);
        let dup = &loaded.diagnostics[0];
        assert_eq!(dup.secondary.len(), 1, "points at the first definition too");
        assert!(loaded.diagnostics[1]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("a.alpha"));
        let m = &loaded.model;
        let a = m.zone(m.zone_by_name("a").unwrap());
        let names: Vec<&str> = a.assets.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha", "mid"]);
        let c = m.conduit(m.conduit_by_name("c").unwrap());
        let eps: Vec<String> = c.initiators.iter().map(|e| m.endpoint_name(e)).collect();
        assert_eq!(eps, ["a.zeta", "a.alpha", "a.mid"], "sorted by asset index");
        assert_eq!(
            m.asset(c.initiators[1].asset_id().unwrap())
                .address
                .value
                .to_string(),
            "10.0.0.1"
        );
    }
}

/// Shared addresses are found by one sort of all addresses: the same
/// diagnostics, in the same order, as a scan in model order.
mod shared_addresses {
    use conduit::model::{self, Input};
    use conduit::source::SourceMap;

    #[test]
    fn outside_and_shared_addresses_in_model_order() {
        let text = "zone b { purdue 2; sl 1; owner \"x\"; network 10.2.0.0/24\n\
                      asset b1 10.1.0.7 { role server }\n\
                      asset b2 10.2.0.9 { role server }\n\
                      asset b3 10.9.9.9 { role server }\n}\n\
                    zone a { purdue 2; sl 1; owner \"x\"; network 10.1.0.0/24\n\
                      asset a1 10.2.0.9 { role server }\n\
                      asset a2 10.1.0.7 { role server }\n\
                      asset a3 10.1.0.7 { role server }\n}\n\
                    zone c { purdue 2; sl 1; owner \"x\"; network 10.3.0.0/24\n\
                      asset c1 10.9.9.9 { role server }\n}\n";
        let mut sources = SourceMap::new();
        let id = sources.add("addr.zc", None, text.to_string());
        let (doc, diags) = conduit::syntax::parse(id, text);
        assert!(diags.is_empty());
        let (_, diags) = model::resolve(&[Input {
            file: id,
            doc: &doc,
            builtin: false,
        }]);
        let got: Vec<String> = diags
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert_eq!(
            got,
            [
                "E0206 asset `a.a1` at 10.2.0.9 is outside its zone",
                "E0209 assets `a.a2` and `a.a3` share the address 10.1.0.7",
                "E0206 asset `b.b1` at 10.1.0.7 is outside its zone",
                "E0209 assets `a.a2` and `b.b1` share the address 10.1.0.7",
                "E0209 assets `a.a1` and `b.b2` share the address 10.2.0.9",
                "E0206 asset `b.b3` at 10.9.9.9 is outside its zone",
                "E0206 asset `c.c1` at 10.9.9.9 is outside its zone",
                "E0209 assets `b.b3` and `c.c1` share the address 10.9.9.9",
            ]
        );
    }
}
