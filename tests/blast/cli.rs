//! The `blast` and `graph` subcommands end to end, with golden outputs
//! (`UPDATE_GOLDEN=1` rewrites them; a missing golden fails).

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn conduit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/blast/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
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
    assert_eq!(
        expected, actual,
        "golden {name} differs (UPDATE_GOLDEN=1 rewrites it)"
    );
}

const PLANT: &str = "examples/riverside/plant.zc";
const AS_OF: &str = "--as-of=2026-11-28";

#[test]
fn blast_text_and_json_on_riverside() {
    let (code, text, err) = conduit(&["blast", PLANT, AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.starts_with("EXPOSURE 60.0% of OT asset weight is reachable"),
        "{text}"
    );
    golden("riverside.txt", &text);
    let (code, json, _) = conduit(&["blast", PLANT, AS_OF, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "conduit-blast/1");
    assert_eq!(v["exposure"]["percent"], 60.0);
    assert_eq!(
        v["min_cut"]["conduits"],
        serde_json::json!(["vendor-to-plc"])
    );
    assert_eq!(v["safety_reachable"], false);
    golden("riverside.json", &json);
}

#[test]
fn blast_what_if_and_sources() {
    let (code, text, _) = conduit(&[
        "blast",
        PLANT,
        AS_OF,
        "--from",
        "enterprise",
        "--cut",
        "vendor-to-plc",
    ]);
    assert_eq!(code, 0);
    assert!(
        text.contains("Left out: conduit vendor-to-plc (cut)"),
        "{text}"
    );
    assert!(
        text.contains("idmz  dmz    3.5     3     compromised  1     10          all"),
        "{text}"
    );
    let (code, _, err) = conduit(&["blast", PLANT, AS_OF, "--from", "idmz.nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("zone `idmz` has no asset `nope`"), "{err}");
    let (code, _, err) = conduit(&["blast", PLANT, AS_OF, "--cut", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no conduit named `nope`"), "{err}");
    let (code, text, _) = conduit(&["blast", PLANT, AS_OF, "--from", "idmz.jump", "--depth", "1"]);
    assert_eq!(code, 0);
    assert!(text.contains("Sources: idmz.jump"), "{text}");
    assert!(
        text.contains("Depth: at most 1 conduit crossings"),
        "{text}"
    );
}

#[test]
fn blast_exits_1_when_a_safety_zone_is_reachable() {
    let (code, text, _) = conduit(&["blast", "tests/blast/plant30.zc", AS_OF]);
    assert_eq!(code, 1);
    assert!(
        text.contains("!!! SAFETY ZONE BREWING-SIS IS REACHABLE"),
        "{text}"
    );
}

#[test]
fn graph_dot_and_mermaid_on_riverside() {
    let (code, dot, _) = conduit(&["graph", PLANT, "--format", "dot"]);
    assert_eq!(code, 0);
    golden("riverside.dot", &dot);
    let (code, dot, _) = conduit(&["blast", PLANT, AS_OF, "--format", "dot"]);
    assert_eq!(code, 0);
    golden("riverside-blast.dot", &dot);
    let (code, mmd, _) = conduit(&["graph", PLANT, "--format", "mermaid", "--blast", AS_OF]);
    assert_eq!(code, 0);
    golden("riverside-blast.mmd", &mmd);
}

#[test]
fn graph_svg_of_a_30_zone_plant() {
    let (code, svg, err) = conduit(&[
        "graph",
        "tests/blast/plant30.zc",
        "--format",
        "svg",
        "--blast",
        AS_OF,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>\n"));
    assert_eq!(svg.matches("<g><title>").count(), 30);
    // Every conduit edge carries its label on the edge.
    assert_eq!(
        svg.matches("<g class=\"label\">").count(),
        svg.matches("marker-end=").count()
    );
    assert_eq!(
        svg.matches("<g>").count() + svg.matches("<g class=").count(),
        svg.matches("</g>").count()
    );
    assert!(svg.contains(">COMPROMISED<") && svg.contains(">SOURCE<"));
}

#[test]
fn yaml_front_end_gives_the_same_blast_report() {
    let (_, zc, _) = conduit(&["blast", PLANT, AS_OF, "--format", "json"]);
    let (code, yaml, err) = conduit(&[
        "blast",
        "examples/riverside-yaml/plant.yaml",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(zc, yaml);
}
