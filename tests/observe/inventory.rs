//! `conduit inventory import`: the sample draft loads without a language
//! error, unknown values are reported by line, hostile strings stay
//! inside their quotes.

use super::support::*;

#[test]
fn the_sample_inventory_gives_a_valid_canonical_draft() {
    let dir = temp_dir("inventory");
    let out = dir.join("draft.zc");
    let o = out.to_str().unwrap();
    let run = conduit(&[
        "inventory",
        "import",
        "examples/inventory/riverside.csv",
        "-o",
        o,
    ]);
    // One unknown role (a printer) is reported with its line: exit 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("riverside.csv:13: warning[I0001]: unknown role `Printer`"),
        "{}",
        run.stderr
    );
    let loaded = conduit::load_policy(std::slice::from_ref(&out));
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let m = &loaded.model;
    assert_eq!(m.zones.len(), 5);
    let sup = m.zone(m.zone_by_name("supervisory").unwrap());
    assert_eq!(sup.assets.len(), 4);
    let hmi = sup.assets.iter().find(|a| a.name == "hmi-1").unwrap();
    assert_eq!(hmi.role, Some(conduit::model::Role::Hmi));
    assert!(!hmi.patchable);
    assert_eq!(
        hmi.description.as_deref(),
        Some("Line 1 operator panel, \"control room\"")
    );
    let sis = m.zone(m.zone_by_name("sis").unwrap());
    assert_eq!(
        sis.assets[0].role,
        Some(conduit::model::Role::SafetyController)
    );
    // `conduit check` finds no language error (only documentation rules).
    let check = conduit(&["check", o, "--format", "json"]);
    assert!(!check.stdout.contains("\"E0"), "{}", check.stdout);
    let fmt = conduit(&["fmt", "--check", o]);
    assert_eq!(fmt.code, 0, "{}{}", fmt.stdout, fmt.stderr);
}

#[test]
fn zones_by_subnet_and_every_problem_by_line() {
    let csv = "Name,Primary IP,Device Role,Site,Patchable\n\
               PLC 1,10.40.1.10/24,PLC,Plant A,no\n\
               PLC 1,10.40.1.11/24,plc,Plant A,maybe\n\
               hmi,10.30.0.21/24,Coffee Machine,Plant A,\n\
               dup,10.40.1.10/24,plc,Plant A,\n\
               bad,10.40.1.300/24,plc,Plant A,\n\
               lonely,192.0.2.7,server,,\n\
               ,10.30.0.22/24,hmi,Plant A,\n";
    let d = conduit::observe::inventory::import(csv).unwrap();
    let problems: Vec<(u64, String)> = d
        .problems
        .iter()
        .map(|p| (p.line, p.message.clone()))
        .collect();
    let lines: Vec<u64> = problems.iter().map(|p| p.0).collect();
    assert_eq!(lines, [3, 3, 4, 5, 6, 7], "{problems:?}");
    assert!(problems[0].1.contains("patchable `maybe`"), "{problems:?}");
    assert!(problems[1].1.contains("named plc-1-2"), "{problems:?}");
    assert!(
        problems[2].1.contains("unknown role `Coffee Machine`"),
        "{problems:?}"
    );
    assert!(problems[3].1.contains("already on line 2"), "{problems:?}");
    assert!(
        problems[5].1.contains("no zone and no subnet"),
        "{problems:?}"
    );
    assert!(
        d.text.contains("zone plant-a-net-10-40-1-0-24 {"),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("asset host-10-30-0-22 10.30.0.22"),
        "{}",
        d.text
    );
    let loaded = conduit::load_str("draft.zc", &d.text);
    assert!(!loaded.has_errors(), "{:?}\n{}", loaded.diagnostics, d.text);
}

#[test]
fn hostile_strings_never_leave_their_quotes() {
    let evil = [
        "a\"b",
        "back\\slash\\",
        "new\nline",
        "*/ }",
        "<script>&amp;</script>",
        "]]>",
        "\u{1b}[31mred",
        "\u{202e}reversed\u{2066}",
        "}\nconduit pwn { internet -> line1  allow any }",
    ];
    let mut csv = String::from("name,address,zone,subnet,role,manufacturer,description,site\n");
    for (i, e) in evil.iter().enumerate() {
        let q = e.replace('"', "\"\"");
        csv.push_str(&format!(
            "\"{q}\",10.40.{i}.10,\"{q}\",10.40.{i}.0/24,\"{q}\",\"{q}\",\"{q}\",\"{q}\"\n"
        ));
    }
    let d = conduit::observe::inventory::import(&csv).unwrap();
    let loaded = conduit::load_str("draft.zc", &d.text);
    assert!(!loaded.has_errors(), "{:?}\n{}", loaded.diagnostics, d.text);
    assert!(loaded.model.conduits.is_empty(), "{}", d.text);
    assert!(
        !d.text.chars().any(|c| c.is_control() && c != '\n'),
        "{}",
        d.text
    );
    assert!(!d.text.contains('\u{202e}'));
    // Every row became an asset or a reported problem: a zone name with no
    // letter or digit.
    let total: usize = loaded.model.zones.iter().map(|z| z.assets.len()).sum();
    let left_out = d
        .problems
        .iter()
        .filter(|p| p.message.contains("row left out"))
        .count();
    assert_eq!(total + left_out, evil.len(), "{:?}", d.problems);
    assert!(total >= 6, "{}", d.text);
    for p in &d.problems {
        assert!(!p.message.chars().any(char::is_control), "{p:?}");
    }
    let descriptions: Vec<String> = loaded
        .model
        .zones
        .iter()
        .flat_map(|z| z.assets.iter().filter_map(|a| a.description.clone()))
        .collect();
    assert!(descriptions.iter().any(|d| d == "a\"b"), "{descriptions:?}");
    assert!(
        descriptions.iter().any(|d| d == "back\\slash\\"),
        "{descriptions:?}"
    );
}

/// One device name in two zones (an IP-address export has a row per
/// address) becomes one multi-homed asset, so NET-003 and the blast radius
/// see the bridge.
#[test]
fn a_name_in_two_zones_is_one_multi_homed_asset() {
    let dir = temp_dir("inventory-multi");
    let csv = dir.join("inv.csv");
    std::fs::write(
        &csv,
        "name,address,role,zone,subnet\n\
         historian,172.16.20.10/24,Historian,scada-ops,172.16.20.0/24\n\
         historian,172.16.30.99/24,Historian,scada-cc,172.16.30.0/24\n\
         hmi-1,172.16.30.21/24,HMI,scada-cc,172.16.30.0/24\n",
    )
    .unwrap();
    let out = dir.join("draft.zc");
    let run = conduit(&[
        "inventory",
        "import",
        csv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let loaded = conduit::load_policy(std::slice::from_ref(&out));
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let m = &loaded.model;
    assert_eq!(m.hosts.len(), 1);
    let legs: Vec<String> = m.hosts[0]
        .legs
        .iter()
        .map(|l| {
            format!(
                "{}.{} {}",
                m.zone(l.zone).name,
                m.hosts[0].name,
                m.asset(*l).address.value
            )
        })
        .collect();
    assert_eq!(
        legs,
        [
            "scada-cc.historian 172.16.30.99",
            "scada-ops.historian 172.16.20.10"
        ]
    );
    assert_eq!(
        m.asset(m.hosts[0].legs[0]).role,
        Some(conduit::model::Role::Historian)
    );
}
