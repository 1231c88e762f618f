//! Multicast groups and DNS names as destinations, in every backend:
//! goldens where a backend accepts them, the refusal (with its code)
//! where it cannot, the real tools on the Linux files, and the
//! independent readers deciding packets to a group like the plan.

use crate::asa_reader::{AsaConfig, Net};
use crate::fortigate_reader::FortiConfig;
use crate::golden::check_golden;
use crate::junos_reader::{self, Srx};
use crate::panos_reader::{self, Pan};
use crate::support::{build, emit, options, policy, root_or_skip};
use crate::tools::tool_accepts;
use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::explain::{explain, DenyReason};
use conduit::compile::plan::AddrMatch;
use conduit::compile::{self, Plan};
use conduit::model::Mode;

const ZONES: &str = r#"
zone cell-a {
    purdue 1
    network 10.10.1.0/24
    network 2001:db8:a::/64
}
zone ops {
    purdue 3
    network 10.20.0.0/24
    network 2001:db8:20::/64
    asset scada 10.20.0.5 { role server }
    asset scada6 2001:db8:20::5 { role server }
}
zone internet {
    class external
    network 0.0.0.0/0
    network "::/0"
}
"#;

/// Groups in both families (PTP on IPv6).
const MULTICAST: &str = r#"
conduit implicit-io {
    ops.scada -> multicast 239.192.1.0/24 in cell-a, multicast 239.192.9.9 in cell-a
    allow udp 2222
}
conduit ptp {
    ops.scada6 -> multicast ff0e::181 in cell-a
    allow udp 319-320
}
"#;

/// A host name and a wildcard.
const FQDN: &str = r#"
conduit telemetry {
    ops.scada -> fqdn "global.azure-devices-provisioning.net" in internet, fqdn "*.azure-devices.net" in internet
    allow tcp 8883
}
"#;

/// What Junos SRX, PAN-OS and ASA all accept: an IPv4 group and a host name.
const BOTH: &str = r#"
conduit implicit-io {
    ops.scada -> multicast 239.192.1.0/24 in cell-a
    allow udp 2222
}
conduit telemetry {
    ops.scada, ops.scada6 -> fqdn "global.azure-devices-provisioning.net" in internet
    allow tcp 8883
}
"#;

fn plan_of(conduits: &str) -> Plan {
    let model = policy(&format!("{ZONES}{conduits}"));
    build(&model, &options(Mode::Enforce, "2026-11-28"))
}

fn refusal(backend: &str, plan: &Plan) -> Vec<String> {
    let b = compile::backend(backend).unwrap();
    match compile::generate(b, plan) {
        Ok(_) => panic!("{backend} accepted what it cannot express"),
        Err(diags) => diags.iter().map(|d| d.code.to_string()).collect(),
    }
}

fn udp(src: &str, dst: &str, port: u16) -> Packet {
    Packet {
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        l4: PacketL4::Udp(port),
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: 1_795_000_000,
    }
}

/// Packets to and beside the groups of [`MULTICAST`] / [`BOTH`], with the
/// plan's own verdict.
fn group_probes(plan: &Plan) -> Vec<(Packet, bool)> {
    let probes = [
        udp("10.20.0.5", "239.192.1.5", 2222),
        udp("10.20.0.5", "239.192.1.255", 2222),
        udp("10.20.0.5", "239.192.9.9", 2222),
        udp("10.20.0.5", "239.192.2.1", 2222),
        udp("10.20.0.5", "239.192.1.5", 2223),
        udp("10.20.0.6", "239.192.1.5", 2222),
        udp("10.20.0.5", "10.10.1.5", 2222),
        udp("2001:db8:20::5", "ff0e::181", 319),
        udp("2001:db8:20::5", "ff0e::182", 319),
    ];
    probes
        .into_iter()
        .map(|p| {
            let allowed = plan.verdict(&p) == Verdict::Allow;
            (p, allowed)
        })
        .collect()
}

#[test]
fn the_plan_matches_groups_as_destinations_and_names_never() {
    let plan = plan_of(MULTICAST);
    let allowed: Vec<bool> = group_probes(&plan).into_iter().map(|(_, a)| a).collect();
    assert_eq!(
        allowed,
        [true, true, true, false, false, false, false, true, false]
    );
    assert!(plan.rules.iter().all(|r| r.dst_multicast));
    assert!(plan.rules.iter().all(|r| r.dst_zones == ["cell-a"]));
    // A DNS name knows no address: no literal destination matches it.
    let plan = plan_of(FQDN);
    assert!(plan
        .rules
        .iter()
        .all(|r| matches!(&r.dst, AddrMatch::Fqdn(_)) && r.dst_zones == ["internet"]));
    for dst in ["20.0.0.1", "13.69.116.1", "0.0.0.0", "255.255.255.255"] {
        let mut p = udp("10.20.0.5", dst, 0);
        p.l4 = PacketL4::Tcp(8883);
        assert_eq!(plan.verdict(&p), Verdict::Deny, "{dst}");
    }
}

#[test]
fn query_and_observe_explain_groups_and_names() {
    let model = policy(&format!("{ZONES}{MULTICAST}{FQDN}"));
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let e = explain(&model, &plan, &udp("10.20.0.5", "239.192.1.5", 2222));
    assert_eq!(e.verdict, Verdict::Allow);
    assert_eq!(e.dst_zone.as_deref(), Some("cell-a"), "the group's zone");
    let to = e.rule.map(|r| r.to).unwrap_or_default();
    assert_eq!(to, "multicast 239.192.1.0/24 in cell-a");
    let mut p = udp("10.20.0.5", "20.0.0.1", 0);
    p.l4 = PacketL4::Tcp(8883);
    let e = explain(&model, &plan, &p);
    assert_eq!(e.verdict, Verdict::Deny);
    assert_eq!(
        e.reasons,
        [DenyReason::DnsName {
            conduit: "telemetry".to_string(),
            names: vec![
                "*.azure-devices.net".to_string(),
                "global.azure-devices-provisioning.net".to_string()
            ],
        }]
    );
}

#[test]
fn linux_backends_emit_groups_and_refuse_names() {
    let plan = plan_of(MULTICAST);
    let nft = emit("nftables", &plan);
    check_golden("endpoints/multicast-nftables.nft", &nft[0].text);
    let ipt = emit("iptables", &plan);
    check_golden("endpoints/multicast-iptables.rules", &ipt[0].text);
    check_golden("endpoints/multicast-iptables.rules.v6", &ipt[1].text);
    let fqdn = plan_of(FQDN);
    for backend in ["nftables", "iptables"] {
        assert_eq!(refusal(backend, &fqdn), ["E0530", "E0530"], "{backend}");
    }
    if root_or_skip("linux_backends_emit_groups_and_refuse_names") {
        tool_accepts(&nft, "multicast-nft");
        tool_accepts(&ipt, "multicast-ipt");
    }
}

#[test]
fn junos_srx_emits_groups_and_dns_names() {
    for (name, conduits) in [("multicast", MULTICAST), ("both", BOTH)] {
        let plan = plan_of(conduits);
        let text = emit("junos-srx", &plan).remove(0).text;
        check_golden(&format!("endpoints/{name}-junos-srx.conf"), &text);
        let srx = Srx::read(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let errs = junos_reader::lint(&srx, &text);
        assert!(errs.is_empty(), "{errs:?}");
        for (p, allowed) in group_probes(&plan) {
            let d = srx.decide(
                Some("ops"),
                Some("cell-a"),
                p.src,
                p.dst,
                p.l4,
                (p.sport, p.icmp_code),
                p.unix_time,
            );
            assert_eq!(d.map(|d| d.permit), Some(allowed), "{name}: {p:?}");
        }
    }
    let srx = Srx::read(&emit("junos-srx", &plan_of(BOTH)).remove(0).text).unwrap();
    assert!(srx.addresses.values().any(|a| matches!(a,
        junos_reader::Addr::Dns(d) if d == "global.azure-devices-provisioning.net")));
    assert_eq!(refusal("junos-srx", &plan_of(FQDN)), ["E0530"]);
}

#[test]
fn panos_sends_groups_to_its_multicast_zone_and_emits_dns_names() {
    let plan = plan_of(BOTH);
    let files = emit("panos", &plan);
    check_golden("endpoints/both-panos.xml", &files[0].text);
    let pan = Pan::read(&files[0].text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        panos_reader::lint(&pan).is_empty(),
        "{:?}",
        panos_reader::lint(&pan)
    );
    for (p, allowed) in group_probes(&plan)
        .into_iter()
        .filter(|(p, _)| p.src.is_ipv4())
    {
        let d = pan.decide(
            Some("ops"),
            Some("multicast"),
            p.src,
            p.dst,
            p.l4,
            (p.sport, p.icmp_code),
            p.unix_time,
        );
        assert_eq!(d.map(|d| d.allow), Some(allowed), "{p:?}");
        // Routed multicast never matches as traffic into the zone itself.
        let d = pan.decide(
            Some("ops"),
            Some("cell-a"),
            p.src,
            p.dst,
            p.l4,
            (p.sport, p.icmp_code),
            p.unix_time,
        );
        assert_ne!(d.map(|d| d.allow), Some(true), "{p:?}");
    }
    assert!(pan.addresses.values().any(|a| matches!(a,
        panos_reader::Addr::Fqdn(d) if d == "global.azure-devices-provisioning.net")));
    assert_eq!(refusal("panos", &plan_of(FQDN)), ["E0530"]);
    assert_eq!(refusal("panos", &plan_of(MULTICAST)), ["E0531"]);
}

#[test]
fn cisco_asa_emits_groups_and_dns_objects() {
    for (name, conduits) in [("multicast", MULTICAST), ("both", BOTH)] {
        let plan = plan_of(conduits);
        let text = emit("cisco-asa", &plan).remove(0).text;
        check_golden(&format!("endpoints/{name}-cisco-asa.cfg"), &text);
        let cfg = AsaConfig::parse(&text);
        for (p, allowed) in group_probes(&plan) {
            assert_eq!(cfg.verdict(&p) == Verdict::Allow, allowed, "{name}: {p:?}");
        }
    }
    let text = emit("cisco-asa", &plan_of(BOTH)).remove(0).text;
    let cfg = AsaConfig::parse(&text);
    let mut families: Vec<bool> = cfg
        .objects
        .values()
        .filter_map(|o| match o {
            Net::Fqdn(v4, name) if name == "global.azure-devices-provisioning.net" => Some(*v4),
            _ => None,
        })
        .collect();
    families.sort();
    assert_eq!(families, [false, true], "one object per family");
    assert_eq!(refusal("cisco-asa", &plan_of(FQDN)), ["E0530"]);
}

#[test]
fn fortigate_emits_dns_names_and_refuses_multicast() {
    let plan = plan_of(FQDN);
    let text = emit("fortigate", &plan).remove(0).text;
    check_golden("endpoints/fqdn-fortigate.conf", &text);
    let cfg = FortiConfig::parse(&text);
    let mut p = udp("10.20.0.5", "20.0.0.1", 0);
    p.l4 = PacketL4::Tcp(8883);
    assert_eq!(cfg.verdict(&p), Verdict::Deny);
    assert!(text.contains("set fqdn \"*.azure-devices.net\"\n"));
    assert_eq!(
        refusal("fortigate", &plan_of(MULTICAST)),
        ["E0531", "E0531"]
    );
}

#[test]
fn the_cli_points_a_refusal_at_the_endpoint() {
    let dir = tempfile::Builder::new()
        .prefix("conduit-endpoints-")
        .tempdir()
        .unwrap();
    let file = dir.path().join("plant.zc");
    std::fs::write(&file, format!("{ZONES}{FQDN}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(["compile", "--backend", "nftables"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stderr}{stdout}");
    assert!(stdout.is_empty(), "nothing emitted: {stdout}");
    assert!(stderr.contains("E0530"), "{stderr}");
    // The label sits under the endpoint of the flow line.
    assert!(
        stderr.contains("the backend cannot express this destination"),
        "{stderr}"
    );
}

#[test]
fn diff_names_an_opened_group() {
    let dir = tempfile::Builder::new()
        .prefix("conduit-endpoints-diff-")
        .tempdir()
        .unwrap();
    let (old, new) = (dir.path().join("old.zc"), dir.path().join("new.zc"));
    std::fs::write(&old, format!("{ZONES}{BOTH}")).unwrap();
    let wider = BOTH.replace(
        "multicast 239.192.1.0/24 in cell-a",
        "multicast 239.192.1.0/24 in cell-a, multicast 239.192.7.0/24 in cell-a",
    );
    std::fs::write(&new, format!("{ZONES}{wider}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conduit"))
        .arg("diff")
        .args([&old, &new])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("opens 1 flow into cell-a"), "{stdout}");
    assert!(
        stdout.contains("ops.scada -> multicast 239.192.7.0/24 in cell-a  udp 2222"),
        "{stdout}"
    );
    // The whole zone never covers a group: the same group into the zone
    // is no change, another group is.
    assert!(!stdout.contains("239.192.1.0/24"), "{stdout}");
}

/// pan-os-python (third party) reads the DNS-name objects and the
/// `multicast` destination zone back as the test's own reader does.
#[test]
fn panos_endpoints_read_back_with_pan_os_python() {
    let Some(py) =
        crate::vendor::python_with("panos", "panos_endpoints_read_back_with_pan_os_python")
    else {
        return;
    };
    let text = emit("panos", &plan_of(BOTH)).remove(0).text;
    let path = crate::support::temp_file("panos-endpoints.xml", &text);
    let mut got: Vec<String> = crate::vendor::run_python(&py, crate::vendor::PANOS_SCRIPT, &path)
        .lines()
        .map(String::from)
        .collect();
    got.sort();
    let pan = Pan::read(&text).unwrap();
    assert_eq!(got, crate::vendor::pan_lines(&pan));
    assert!(got.iter().any(|l| l.starts_with("address|d4_global.azure-devices-provisioning.net|fqdn|global.azure-devices-provisioning.net")), "{got:?}");
}

/// ciscoconfparse2 (third party) reads the ASA text with its FQDN objects
/// as the test's own reader does.
#[test]
fn cisco_asa_endpoints_read_back_with_ciscoconfparse2() {
    for (name, conduits) in [("multicast", MULTICAST), ("both", BOTH)] {
        let text = emit("cisco-asa", &plan_of(conduits)).remove(0).text;
        crate::asa::ccp_agrees(&text, &format!("endpoints-{name}"));
    }
}

/// One compile reports every refusal of a vendor backend: a wildcard name
/// (E0530) and a schedule in a zone the device clock does not run in
/// (E0537), not the first kind only.
#[test]
fn vendor_refusals_come_together() {
    let text = format!(
        "{FQDN}conduit shift {{\n    ops.scada -> cell-a\n    allow tcp 102\n    schedule \"mon-fri 06:00-18:00 Europe/Berlin\"\n}}\n"
    );
    for backend in ["junos-srx", "panos", "cisco-asa"] {
        let mut got = refusal(backend, &plan_of(&text));
        got.sort();
        got.dedup();
        assert_eq!(got, ["E0530", "E0537"], "{backend}");
    }
}
