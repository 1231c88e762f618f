//! Vendor backends (Junos SRX, PAN-OS): goldens, the independent readers
//! of `junos_reader.rs` / `panos_reader.rs` deciding packets at instants,
//! a property test against the plan's evaluator, documented limits,
//! hostile policy strings and third-party parsers (`ciscoconfparse2`,
//! `pan-os-python`) run with the interpreter named by `CONDUIT_PYTHON`.

use crate::golden::check_golden;
use crate::junos_reader::{self, Srx};
use crate::panos_reader::{self, Pan};
use crate::prop::{sp, zone, Rng};
use crate::support::{build, emit, options, policy, riverside, root_dir, temp_file};
use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::plan::{self, PlanOptions};
use conduit::compile::{self, target, Plan};
use conduit::model::{
    Conduit, Date, Direction, Endpoint, Mode, Model, PortRange, Proto, Schedule, Service,
    ServiceId, ServiceMatch, Weekday, ZoneClass, ZoneId,
};
use conduit::source::{SourceMap, Span};
use ipnet::IpNet;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor",
    }
}

fn unix(date: &str, hh: i64, mm: i64) -> i64 {
    Date::parse(date).unwrap().days_since_epoch() * 86_400 + hh * 3600 + mm * 60
}

/// The zone of an address: the longest matching network of the model.
fn zone_of(model: &Model, addr: IpAddr) -> Option<String> {
    let mut best: Option<(u8, &str)> = None;
    for z in &model.zones {
        for n in &z.networks {
            let len = n.value.prefix_len();
            if n.value.contains(&addr) && best.is_none_or(|(l, _)| len > l) {
                best = Some((len, &z.name));
            }
        }
    }
    best.map(|(_, n)| n.to_string())
}

/// A target profile from `targets/`, applied to riverside.
fn profile_options(name: &str) -> (PlanOptions, &'static dyn compile::Backend) {
    let model = riverside();
    let text = std::fs::read_to_string(root_dir().join(format!("targets/{name}.yaml"))).unwrap();
    let mut sources = SourceMap::new();
    let (t, diags) = target::load(&mut sources, name, None, text, &model);
    assert!(diags.is_empty(), "{name}: {diags:?}");
    let t = t.unwrap();
    let mut opts = options(t.mode, "2026-11-28");
    opts.log_denied = t.log_denied;
    opts.interfaces = Some(t.interfaces);
    opts.target = Some(t.name);
    (opts, t.backend)
}

// ---- Junos SRX ---------------------------------------------------------

pub fn srx_text(plan: &Plan) -> String {
    let files = emit("junos-srx", plan);
    assert_eq!(files.len(), 1);
    files[0].text.clone()
}

pub fn read_srx(text: &str) -> Srx {
    let srx = Srx::read(text).unwrap_or_else(|e| panic!("reader refuses the file: {e}\n{text}"));
    let errs = junos_reader::lint(&srx, text);
    assert!(errs.is_empty(), "limits: {errs:?}\n{text}");
    srx
}

/// The SRX decision on a packet, as the plan's verdict kinds.
pub fn srx_verdict(srx: &Srx, model: &Model, pkt: &Packet) -> (bool, bool) {
    let zone = |iface: &Option<String>, addr: IpAddr| match iface {
        Some(i) => srx.zone_of_interface(i).map(String::from),
        None => zone_of(model, addr),
    };
    let from = zone(&pkt.iif, pkt.src);
    let to = zone(&pkt.oif, pkt.dst);
    let d = srx
        .decide(
            from.as_deref(),
            to.as_deref(),
            pkt.src,
            pkt.dst,
            pkt.l4,
            (pkt.sport, pkt.icmp_code),
            pkt.unix_time,
        )
        .expect("the final policy matches everything");
    (d.permit, d.logged)
}

pub fn assert_same(plan: &Plan, permit: bool, logged: bool, pkt: &Packet) -> Result<(), String> {
    let want = plan.verdict(pkt);
    let ok = match want {
        Verdict::Allow => permit,
        Verdict::WouldDrop => permit && logged,
        Verdict::Deny => !permit && (logged || !plan.log_denied),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "plan says {want:?}, device permit={permit} logged={logged} for {pkt:?}"
        ))
    }
}

#[test]
fn srx_riverside_goldens_enforce_and_monitor() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        let text = srx_text(&plan);
        let srx = read_srx(&text);
        let last = srx.policies.last().unwrap();
        assert_eq!(
            (last.permit, last.log_init, last.log_close),
            (mode == Mode::Monitor, true, mode == Mode::Monitor)
        );
        check_golden(
            &format!("riverside/junos-srx-{}.conf", mode_name(mode)),
            &text,
        );
    }
    let (opts, backend) = profile_options("riverside-srx");
    assert_eq!(backend.name(), "junos-srx");
    let plan = build(&model, &opts);
    let text = srx_text(&plan);
    let srx = read_srx(&text);
    assert_eq!(srx.zones["line1"], ["ge-0/0/4.101"]);
    check_golden("targets/riverside-srx.out", &text);
}

fn pkt(src: &str, dst: &str, l4: PacketL4, t: i64) -> Packet {
    Packet {
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        l4,
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: t,
    }
}

/// Real-world probes: staffed hours, an hour outside them, the day after
/// an expiry, the monitored conduit, and traffic nobody allowed.
fn riverside_probes() -> Vec<(Packet, bool)> {
    let ews_to_plc = |t| pkt("10.30.0.30", "10.40.1.10", PacketL4::Tcp(102), t);
    let vendor = |t| pkt("198.51.100.7", "10.20.0.20", PacketL4::Tcp(443), t);
    vec![
        // engineering: mon-fri 06:00-18:00; 2026-12-01 is a Tuesday.
        (ews_to_plc(unix("2026-12-01", 10, 0)), true),
        (ews_to_plc(unix("2026-12-01", 18, 0)), false),
        (ews_to_plc(unix("2026-12-01", 19, 30)), false),
        (ews_to_plc(unix("2026-12-06", 10, 0)), false),
        // vendor-support: mon-fri 08:00-17:00 until 2027-03-31.
        (vendor(unix("2027-03-30", 9, 0)), true),
        (vendor(unix("2027-03-30", 7, 0)), false),
        (vendor(unix("2027-04-01", 9, 0)), false),
        // vendor-to-plc: always until 2027-03-31.
        (
            pkt(
                "10.20.0.20",
                "10.40.1.10",
                PacketL4::Tcp(102),
                unix("2027-03-30", 23, 0),
            ),
            true,
        ),
        (
            pkt(
                "10.20.0.20",
                "10.40.1.10",
                PacketL4::Tcp(102),
                unix("2027-03-31", 0, 0),
            ),
            false,
        ),
        // business-reports, and the same source to a host it may not reach.
        (
            pkt(
                "10.10.3.4",
                "10.20.0.10",
                PacketL4::Tcp(443),
                unix("2026-12-01", 3, 0),
            ),
            true,
        ),
        (
            pkt(
                "10.10.3.4",
                "10.25.0.10",
                PacketL4::Tcp(443),
                unix("2026-12-01", 3, 0),
            ),
            false,
        ),
        // A service the conduit does not name.
        (
            pkt(
                "10.30.0.5",
                "10.40.1.10",
                PacketL4::Tcp(502),
                unix("2026-12-01", 3, 0),
            ),
            false,
        ),
    ]
}

#[test]
fn srx_decides_riverside_probes_like_the_policy() {
    let model = riverside();
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let srx = read_srx(&srx_text(&plan));
    for (p, allowed) in riverside_probes() {
        let (permit, logged) = srx_verdict(&srx, &model, &p);
        assert_eq!(permit, allowed, "{p:?}");
        assert_same(&plan, permit, logged, &p).unwrap();
    }
    // time-sync is monitored: other traffic along its flow passes, logged.
    let p = pkt(
        "10.40.1.10",
        "10.25.0.10",
        PacketL4::Tcp(22),
        unix("2026-12-01", 3, 0),
    );
    assert_eq!(srx_verdict(&srx, &model, &p), (true, true));
    assert!(srx.policy_rematch);
    // Through the target profile the zones come from the interfaces.
    let (opts, _) = profile_options("riverside-srx");
    let plan = build(&model, &opts);
    let srx = read_srx(&srx_text(&plan));
    let mut p = pkt(
        "10.30.0.30",
        "10.40.1.10",
        PacketL4::Tcp(102),
        unix("2026-12-01", 10, 0),
    );
    p.iif = Some("ge-0/0/4.100".into());
    p.oif = Some("ge-0/0/4.101".into());
    assert!(srx_verdict(&srx, &model, &p).0);
    p.iif = Some("ge-0/0/1.0".into());
    assert!(!srx_verdict(&srx, &model, &p).0);
}

const HOSTILE: &str = "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
    conduit x {\n a -> b\n allow tcp 22\n ticket \"T\\\"; } permit { */ ]]> <x> & \\\\\"\n justification \"a\\\" ; }\\n policy evil { then { permit; } } /* \u{202e} <![CDATA[ ]]> &amp;\"\n}\n";

#[test]
fn srx_hostile_strings_cannot_change_the_meaning() {
    let model = policy(HOSTILE);
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let text = srx_text(&plan);
    let srx = read_srx(&text);
    let names: Vec<&str> = srx.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["x-1", "conduit-final"], "{text}");
    let d = srx.policies[0].description.as_deref().unwrap();
    assert!(d.contains("policy evil"), "{d}");
    assert!(!text.contains("/*"), "{text}");
}

#[test]
fn srx_names_fit_the_device_and_are_stable() {
    let long = "z".repeat(70);
    let text = format!(
        "zone {long} {{\n purdue 3\n network 10.1.0.0/24\n}}\nzone b {{\n purdue 2\n network 10.2.0.0/24\n network 2001:db8:2::/48\n asset h 2001:db8:2::5 {{ role hmi }}\n}}\n\
         zone c {{\n purdue 3\n network 10.3.0.0/24\n network 2001:db8:3::/48\n}}\n\
         conduit x {{\n {long} -> b\n allow tcp 22\n}}\nconduit y {{\n c -> b.h\n allow modbus, tcp 8000-8010, udp 2222\n}}\n"
    );
    let model = policy(&text);
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let out = srx_text(&plan);
    let srx = read_srx(&out);
    assert!(srx.zones.keys().all(|z| z.len() <= 63));
    // IPv6 alongside IPv4, and no service crossed with another's ports.
    assert!(srx
        .addresses
        .values()
        .any(|a| matches!(a, junos_reader::Addr::Prefix(ip, _) if ip.is_ipv6())));
    let t = unix("2026-12-01", 1, 0);
    let model_c = |src: &str, dst: &str, l4| {
        let p = pkt(src, dst, l4, t);
        srx_verdict(&srx, &model, &p).0
    };
    assert!(!model_c("10.3.0.1", "10.2.0.9", PacketL4::Udp(2222)));
    assert!(model_c(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Udp(2222)
    ));
    assert!(!model_c(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Tcp(2222)
    ));
    assert!(!model_c(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Udp(8005)
    ));
    assert!(model_c(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Tcp(8005)
    ));
    // Adding an unrelated conduit renames nothing that exists.
    let more = format!("{text}conduit w {{\n b -> c\n allow https\n}}\n");
    let plan2 = build(&policy(&more), &options(Mode::Enforce, "2026-11-28"));
    let srx2 = read_srx(&srx_text(&plan2));
    for n in srx.addresses.keys().chain(srx.address_sets.keys()) {
        assert!(
            srx2.addresses.contains_key(n) || srx2.address_sets.contains_key(n),
            "{n}"
        );
    }
    for p in &srx.policies {
        assert!(srx2.policies.iter().any(|q| q.name == p.name), "{}", p.name);
    }
}

#[test]
fn srx_refuses_two_zones_on_one_interface() {
    let model = policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
         zone c {\n purdue 2\n network 10.3.0.0/24\n}\nconduit x {\n a -> b, c\n allow tcp 22\n}\n",
    );
    let mut opts = options(Mode::Enforce, "2026-11-28");
    opts.interfaces = Some(BTreeMap::from([
        (ZoneId(0), "ge-0/0/1.0".to_string()),
        (ZoneId(1), "ge-0/0/2.0".to_string()),
        (ZoneId(2), "ge-0/0/2.0".to_string()),
    ]));
    let plan = build(&model, &opts);
    let b = compile::backend("junos-srx").unwrap();
    let errs = compile::generate(b, &plan).unwrap_err();
    assert_eq!(errs[0].code, "E0503", "{errs:?}");
}

// ---- PAN-OS ------------------------------------------------------------

fn pan_files(plan: &Plan) -> Vec<compile::OutputFile> {
    let files = emit("panos", plan);
    assert_eq!(files.len(), 2);
    files
}

pub fn pan_text(plan: &Plan) -> String {
    pan_files(plan)[0].text.clone()
}

pub fn read_pan(text: &str) -> Pan {
    let pan = Pan::read(text).unwrap_or_else(|e| panic!("reader refuses the XML: {e}\n{text}"));
    let errs = panos_reader::lint(&pan);
    assert!(errs.is_empty(), "limits: {errs:?}\n{text}");
    pan
}

pub fn pan_verdict(pan: &Pan, model: &Model, pkt: &Packet) -> (bool, bool) {
    let zone = |iface: &Option<String>, addr: IpAddr| match iface {
        Some(i) => pan.zone_of_interface(i).map(String::from),
        None => zone_of(model, addr),
    };
    let from = zone(&pkt.iif, pkt.src);
    let to = zone(&pkt.oif, pkt.dst);
    let d = pan
        .decide(
            from.as_deref(),
            to.as_deref(),
            pkt.src,
            pkt.dst,
            pkt.l4,
            (pkt.sport, pkt.icmp_code),
            pkt.unix_time,
        )
        .expect("the final rule matches everything");
    (d.allow, d.logged)
}

#[test]
fn panos_riverside_goldens_enforce_and_monitor() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        let files = pan_files(&plan);
        let pan = read_pan(&files[0].text);
        let last = pan.rules.last().unwrap();
        assert_eq!(
            (last.allow, last.log_start, last.log_end),
            (mode == Mode::Monitor, mode == Mode::Monitor, true)
        );
        check_golden(
            &format!("riverside/panos-{}.xml", mode_name(mode)),
            &files[0].text,
        );
        check_golden(
            &format!("riverside/panos-{}.xml.load", mode_name(mode)),
            &files[1].text,
        );
    }
    let (opts, backend) = profile_options("riverside-panos");
    assert_eq!(backend.name(), "panos");
    let plan = build(&model, &opts);
    let files = pan_files(&plan);
    let pan = read_pan(&files[0].text);
    assert_eq!(pan.zones["line1"], ["ethernet1/4"]);
    assert!(files[1]
        .text
        .contains("zone/entry[@name='line1'] mode replace"));
    check_golden("targets/riverside-panos.out", &files[0].text);
    check_golden("targets/riverside-panos.out.load", &files[1].text);
}

#[test]
fn panos_decides_riverside_probes_like_the_policy() {
    let model = riverside();
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let pan = read_pan(&pan_text(&plan));
    for (p, allowed) in riverside_probes() {
        let (permit, logged) = pan_verdict(&pan, &model, &p);
        assert_eq!(permit, allowed, "{p:?}");
        assert_same(&plan, permit, logged, &p).unwrap();
    }
    // The window with an expiry is dated members up to the expiry.
    let s = &pan.schedules["s_12345_0800-1700_u20270331"];
    assert_eq!(s.kind, "non-recurring");
    assert_eq!(
        s.members.last().unwrap(),
        "2027/03/30@08:00-2027/03/30@17:00"
    );
    let p = pkt(
        "10.40.1.10",
        "10.25.0.10",
        PacketL4::Tcp(22),
        unix("2026-12-01", 3, 0),
    );
    assert_eq!(pan_verdict(&pan, &model, &p), (true, true));
    let (opts, _) = profile_options("riverside-panos");
    let plan = build(&model, &opts);
    let pan = read_pan(&pan_text(&plan));
    let mut p = pkt(
        "10.30.0.30",
        "10.40.1.10",
        PacketL4::Tcp(102),
        unix("2026-12-01", 10, 0),
    );
    p.iif = Some("ethernet1/3".into());
    p.oif = Some("ethernet1/4".into());
    assert!(pan_verdict(&pan, &model, &p).0);
    p.iif = Some("ethernet1/1".into());
    assert!(!pan_verdict(&pan, &model, &p).0);
}

#[test]
fn panos_hostile_strings_cannot_change_the_meaning() {
    let model = policy(HOSTILE);
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let text = pan_text(&plan);
    let pan = read_pan(&text);
    let names: Vec<&str> = pan.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["x-1", "conduit-final"], "{text}");
    let d = pan.rules[0].description.as_deref().unwrap();
    assert!(d.contains("]]> <x> &") && d.contains("policy evil"), "{d}");
    assert!(
        !text.contains("<x>") && !text.contains("<![CDATA["),
        "{text}"
    );
}

#[test]
fn panos_window_with_expiry_beyond_the_cap_is_e0505() {
    let model = policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
         conduit x {\n a -> b\n allow tcp 22\n schedule \"daily 08:00-09:00\"\n expires 2030-01-01\n}\n",
    );
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let errs = compile::generate(compile::backend("panos").unwrap(), &plan).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, "E0505", "{errs:?}");
    // The SRX has recurring schedules with an end date: no such limit.
    read_srx(&srx_text(&plan));
}

#[test]
fn panos_names_fit_the_device() {
    let long = "z".repeat(70);
    let text = format!(
        "zone {long} {{\n purdue 3\n network 10.1.0.0/24\n}}\nzone b {{\n purdue 2\n network 10.2.0.0/24\n network 2001:db8:2::/48\n}}\n\
         zone c {{\n purdue 3\n network 10.3.0.0/24\n network 2001:db8:3::/48\n}}\n\
         conduit x {{\n {long} -> b\n allow tcp 22, icmp 8, proto 47\n}}\nconduit y {{\n c -> b\n allow tcp 8000-8010, udp 2222, icmp, icmpv6\n}}\n"
    );
    let model = policy(&text);
    // Zones sorted by name: b, c, then the long one; bound to interfaces,
    // so that the reader finds each packet's zone on the device.
    let mut opts = options(Mode::Enforce, "2026-11-28");
    opts.interfaces = Some(BTreeMap::from([
        (ZoneId(0), "ethernet1/2".to_string()),
        (ZoneId(1), "ethernet1/3".to_string()),
        (ZoneId(2), "ethernet1/1".to_string()),
    ]));
    let plan = build(&model, &opts);
    let pan = read_pan(&pan_text(&plan));
    assert!(pan.zones.keys().all(|z| z.len() <= 31));
    let t = unix("2026-12-01", 1, 0);
    let iface = |a: &str| {
        let a: IpAddr = a.parse().unwrap();
        let z = zone_of(&model, a).unwrap();
        let i = ["b", "c"].iter().position(|n| *n == z).unwrap_or(2);
        ["ethernet1/2", "ethernet1/3", "ethernet1/1"][i].to_string()
    };
    let allowed = |src: &str, dst: &str, l4| {
        let mut p = pkt(src, dst, l4, t);
        p.iif = Some(iface(src));
        p.oif = Some(iface(dst));
        pan_verdict(&pan, &model, &p).0
    };
    assert!(allowed("10.1.0.1", "10.2.0.9", PacketL4::Icmp(8)));
    assert!(!allowed("10.1.0.1", "10.2.0.9", PacketL4::Icmp(0)));
    assert!(allowed("10.1.0.1", "10.2.0.9", PacketL4::Proto(47)));
    assert!(allowed(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Icmp(128)
    ));
    assert!(!allowed(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Tcp(2222)
    ));
    assert!(allowed(
        "2001:db8:3::1",
        "2001:db8:2::5",
        PacketL4::Udp(2222)
    ));
}

// ---- third-party reader: pan-os-python ----------------------------------

/// The bundles, source ports and exact ICMP golden policy.
pub fn services_policy() -> Model {
    let path = crate::support::root_dir().join("tests/backends/golden/services/policy.zc");
    let loaded = conduit::load_policy(&[path]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

pub const PANOS_SCRIPT: &str = r#"
import sys
import xml.etree.ElementTree as ET
from panos.policies import SecurityRule
from panos.objects import AddressObject, AddressGroup, ServiceObject, ServiceGroup, ScheduleObject, ApplicationObject
from panos.network import Zone
vsys = ET.parse(sys.argv[1]).getroot().find("./devices/entry/vsys/entry")
def j(v):
    if v is None: return ""
    if isinstance(v, list): return " ".join(v)
    return str(v)
for r in SecurityRule().refreshall_from_xml(vsys.find("./rulebase/security/rules")):
    print("rule|" + "|".join(j(x) for x in (r.name, r.fromzone, r.tozone, r.source, r.destination, r.application, r.service, r.action, r.schedule, r.log_start, r.log_end, r.description)))
for o in AddressObject().refreshall_from_xml(vsys.find("address")):
    print("address|" + "|".join(j(x) for x in (o.name, o.type, o.value)))
for o in AddressGroup().refreshall_from_xml(vsys.find("address-group")):
    print("group|" + "|".join(j(x) for x in (o.name, o.static_value)))
for o in ServiceObject().refreshall_from_xml(vsys.find("service")):
    print("service|" + "|".join(j(x) for x in (o.name, o.protocol, o.destination_port, o.source_port)))
for o in ServiceGroup().refreshall_from_xml(vsys.find("service-group")):
    print("service-group|" + "|".join(j(x) for x in (o.name, o.value)))
for o in ScheduleObject().refreshall_from_xml(vsys.find("schedule")):
    days = [o.weekly_monday_time, o.weekly_tuesday_time, o.weekly_wednesday_time, o.weekly_thursday_time, o.weekly_friday_time, o.weekly_saturday_time, o.weekly_sunday_time]
    times = o.non_recurring_date_time or o.daily_time or [t for d in days if d for t in d]
    print("schedule|" + "|".join(j(x) for x in (o.name, o.type, times)))
for o in ApplicationObject().refreshall_from_xml(vsys.find("application")):
    print("application|" + "|".join(j(x) for x in (o.name, o.default_type, o.default_ip_protocol, o.default_icmp_type, o.default_icmp_code)))
for o in Zone().refreshall_from_xml(vsys.find("zone")):
    print("zone|" + "|".join(j(x) for x in (o.name, o.mode, o.interface)))
"#;

/// The same lines from the test's own reader.
pub fn pan_lines(pan: &Pan) -> Vec<String> {
    let b = |v: bool| if v { "True" } else { "False" };
    let mut out = Vec::new();
    for r in &pan.rules {
        out.push(format!(
            "rule|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            r.name,
            r.from.join(" "),
            r.to.join(" "),
            r.source.join(" "),
            r.destination.join(" "),
            r.application.join(" "),
            r.service.join(" "),
            if r.allow { "allow" } else { "deny" },
            r.schedule.clone().unwrap_or_default(),
            b(r.log_start),
            b(r.log_end),
            r.description.clone().unwrap_or_default()
        ));
    }
    for (n, a) in &pan.addresses {
        let (t, v) = match a {
            panos_reader::Addr::Prefix(ip, len) => ("ip-netmask", format!("{ip}/{len}")),
            panos_reader::Addr::Range(lo, hi) => ("ip-range", format!("{lo}-{hi}")),
            panos_reader::Addr::Fqdn(f) => ("fqdn", f.clone()),
        };
        out.push(format!("address|{n}|{t}|{v}"));
    }
    for (n, m) in &pan.groups {
        out.push(format!("group|{n}|{}", m.join(" ")));
    }
    for (n, s) in &pan.services {
        let sources: Vec<String> = s
            .sources
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        out.push(format!(
            "service|{n}|{}|{}|{}",
            s.protocol,
            s.port_text,
            sources.join(",")
        ));
    }
    for (n, m) in &pan.service_groups {
        out.push(format!("service-group|{n}|{}", m.join(" ")));
    }
    for (n, s) in &pan.schedules {
        out.push(format!("schedule|{n}|{}|{}", s.kind, s.members.join(" ")));
    }
    for (n, a) in &pan.apps {
        let (t, p, i) = match a {
            panos_reader::Ident::IpProtocol(p) => {
                ("ident-by-ip-protocol", p.to_string(), String::new())
            }
            panos_reader::Ident::IcmpType(t) => {
                ("ident-by-icmp-type", String::new(), t.to_string())
            }
            panos_reader::Ident::Icmp6Type(t) => {
                ("ident-by-icmp6-type", String::new(), t.to_string())
            }
        };
        let code = pan
            .app_codes
            .get(n)
            .map(ToString::to_string)
            .unwrap_or_default();
        out.push(format!("application|{n}|{t}|{p}|{i}|{code}"));
    }
    for (n, ifs) in &pan.zones {
        out.push(format!("zone|{n}|layer3|{}", ifs.join(" ")));
    }
    out.sort();
    out
}

#[test]
fn panos_xml_reads_back_with_pan_os_python() {
    let Some(py) = python_with("panos", "panos_xml_reads_back_with_pan_os_python") else {
        return;
    };
    let model = riverside();
    let names = policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n network 2001:db8:1::/48\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n network 2001:db8:2::/48\n}\n\
         conduit x {\n a -> b\n allow tcp 22, tcp 100-110, icmp 8, icmp, proto 47\n justification \"<&>\\\" ]]>\"\n}\n",
    );
    for (name, model, opts) in [
        ("enforce", &model, options(Mode::Enforce, "2026-11-28")),
        ("monitor", &model, options(Mode::Monitor, "2026-11-28")),
        ("target", &model, profile_options("riverside-panos").0),
        ("objects", &names, options(Mode::Enforce, "2026-11-28")),
        (
            "services",
            &services_policy(),
            options(Mode::Enforce, "2026-11-28"),
        ),
    ] {
        let text = pan_text(&build(model, &opts));
        let path = temp_file(&format!("panos-{name}.xml"), &text);
        let mut got: Vec<String> = run_python(&py, PANOS_SCRIPT, &path)
            .lines()
            .map(String::from)
            .collect();
        got.sort();
        assert_eq!(got, pan_lines(&read_pan(&text)), "{name}");
    }
}

// ---- third-party reader: ciscoconfparse2 (Junos syntax) ----------------

/// The interpreter of `CONDUIT_PYTHON` (default `python3`) when it can
/// import `module`; otherwise a visible skip, or a failure under
/// `CONDUIT_REQUIRE_NETNS=1`.
pub fn python_with(module: &str, test: &str) -> Option<String> {
    let py = std::env::var("CONDUIT_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = std::process::Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    let msg = format!(
        "SKIPPED {test}: `{py}` cannot import {module} (set CONDUIT_PYTHON to a venv with it)"
    );
    if std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() == Ok("1") {
        panic!("{msg}, and CONDUIT_REQUIRE_NETNS=1");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

pub fn run_python(py: &str, script: &str, file: &std::path::Path) -> String {
    let out = std::process::Command::new(py)
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const CCP_SCRIPT: &str = r#"
import sys, re
from ciscoconfparse2 import CiscoConfParse
for path in sys.argv[1:]:
  print("== file")
  p = CiscoConfParse(path, syntax="junos")
  for pol in p.find_objects(r"^\s*policy\s"):
    name = pol.text.split()[1]
    fields = {}
    for child in pol.all_children:
        words = child.text.replace("[", " ").replace("]", " ").split()
        if words and words[0] in ("source-address", "destination-address", "application", "from-zone", "to-zone", "scheduler-name"):
            fields[words[0]] = " ".join(words[1:])
        if words and words[0] in ("permit", "deny"):
            fields["action"] = words[0]
    keys = ("source-address", "destination-address", "application", "from-zone", "to-zone", "scheduler-name", "action")
    print(name + "|" + "|".join(fields.get(k, "") for k in keys))
"#;

#[test]
fn srx_text_parses_with_ciscoconfparse2() {
    let Some(py) = python_with("ciscoconfparse2", "srx_text_parses_with_ciscoconfparse2") else {
        return;
    };
    let model = riverside();
    let mut paths = Vec::new();
    let mut texts = Vec::new();
    for (name, opts) in [
        ("enforce", options(Mode::Enforce, "2026-11-28")),
        ("monitor", options(Mode::Monitor, "2026-11-28")),
        ("target", profile_options("riverside-srx").0),
        ("hostile", options(Mode::Enforce, "2026-11-28")),
        ("services", options(Mode::Enforce, "2026-11-28")),
    ] {
        let m = match name {
            "hostile" => policy(HOSTILE),
            "services" => services_policy(),
            _ => model.clone(),
        };
        let text = srx_text(&build(&m, &opts));
        paths.push(temp_file(&format!("srx-{name}.conf"), &text));
        texts.push((name, text));
    }
    // One interpreter for all files: importing the parser is slow.
    let out = std::process::Command::new(&py)
        .arg("-c")
        .arg(CCP_SCRIPT)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let per_file: Vec<&str> = stdout.split("== file\n").skip(1).collect();
    assert_eq!(per_file.len(), texts.len());
    for ((name, text), got) in texts.iter().zip(per_file) {
        let srx = read_srx(text);
        let want: Vec<String> = srx
            .policies
            .iter()
            .map(|p| {
                format!(
                    "{}|{}|{}|{}|{}|{}|{}|{}",
                    p.name,
                    p.src.join(" "),
                    p.dst.join(" "),
                    p.apps.join(" "),
                    p.from.join(" "),
                    p.to.join(" "),
                    p.scheduler.clone().unwrap_or_default(),
                    if p.permit { "permit" } else { "deny" }
                )
            })
            .collect();
        let got: Vec<&str> = got.lines().collect();
        assert_eq!(got, want, "{name}");
    }
}

// ---- the property: emitted text decides like the plan -------------------

// The generator and zone builder are those of the plan's property test.

pub const AS_OF: &str = "2026-06-10";

fn random_service(rng: &mut Rng, i: usize) -> Service {
    let m = |proto, ports: Vec<PortRange>, icmp_type| ServiceMatch {
        proto,
        ports,
        icmp_type,
        icmp_code: None,
        sports: vec![],
    };
    let pools = [
        m(Proto::Tcp, vec![PortRange::single(443)], None),
        m(
            Proto::Tcp,
            vec![PortRange::single(22), PortRange { lo: 100, hi: 110 }],
            None,
        ),
        m(Proto::Udp, vec![PortRange::single(123)], None),
        m(Proto::Udp, vec![PortRange::single(443)], None),
        m(Proto::Icmp, vec![], None),
        m(Proto::Icmp, vec![], Some(8)),
        m(Proto::Icmp6, vec![], Some(128)),
        m(Proto::Icmp6, vec![], None),
        ServiceMatch {
            icmp_code: Some(0),
            ..m(Proto::Icmp, vec![], Some(8))
        },
        ServiceMatch {
            sports: vec![PortRange::single(123)],
            ..m(Proto::Udp, vec![PortRange::single(123)], None)
        },
        ServiceMatch {
            sports: vec![PortRange { lo: 100, hi: 110 }],
            ..m(Proto::Tcp, vec![PortRange::single(22)], None)
        },
        m(Proto::Other(47), vec![], None),
        m(Proto::Other(6), vec![], None),
    ];
    let n = 1 + rng.below(2) as usize;
    let matches: Vec<ServiceMatch> = (0..n).map(|_| rng.pick(&pools).clone()).collect();
    Service {
        name: format!("svc{i}"),
        span: Span::default(),
        builtin: false,
        inline: false,
        own: matches.clone(),
        matches,
        authenticated: false,
        encrypted: false,
        tags: BTreeSet::new(),
        description: None,
        includes: vec![],
    }
}

fn random_schedule(rng: &mut Rng) -> Schedule {
    let days: BTreeSet<Weekday> = Weekday::ALL
        .iter()
        .copied()
        .filter(|_| rng.chance(60))
        .collect();
    let start = rng.below(24) as u16 * 60;
    let end = (start + 60 + rng.below(12) as u16 * 60).min(1440);
    Schedule {
        days,
        start_minute: start,
        end_minute: end,
        text: "random".to_string(),
        zone: None,
    }
}

fn random_endpoint(rng: &mut Rng, model: &Model, zones: &[usize]) -> Endpoint {
    let z = *rng.pick(zones);
    let assets = model.zones[z].assets.len() as u64;
    let asset = (assets > 0 && rng.chance(40)).then(|| rng.below(assets) as u32);
    Endpoint {
        zone: ZoneId(z as u32),
        asset,
        span: Span::default(),
        kind: Default::default(),
    }
}

fn random_conduit(rng: &mut Rng, model: &Model, i: usize) -> Conduit {
    let n = model.zones.len();
    let mut order: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        order.swap(k, rng.below(k as u64 + 1) as usize);
    }
    let cut = 1 + rng.below(n as u64 - 1) as usize;
    let (left, right) = order.split_at(cut);
    let initiators = (0..1 + rng.below(2))
        .map(|_| random_endpoint(rng, model, left))
        .collect();
    let responders = (0..1 + rng.below(2))
        .map(|_| random_endpoint(rng, model, right))
        .collect();
    let services = (0..1 + rng.below(2))
        .map(|_| sp(ServiceId(rng.below(model.services.len() as u64) as u32)))
        .collect();
    let as_of = Date::parse(AS_OF).unwrap().days_since_epoch();
    Conduit {
        name: format!("c{i}"),
        span: Span::default(),
        flow_span: Span::default(),
        initiators,
        responders,
        direction: if rng.chance(30) {
            Direction::Both
        } else {
            Direction::Forward
        },
        services,
        sl: None,
        justification: rng.chance(30).then(|| "why \"not\" */ ]]> <&>".to_string()),
        ticket: None,
        owner: None,
        vendor: None,
        expires: rng.chance(40).then(|| {
            sp(Date::from_days_since_epoch(
                as_of - 3 + rng.below(20) as i64,
            ))
        }),
        schedule: rng.chance(40).then(|| sp(random_schedule(rng))),
        mode: if rng.chance(20) {
            Mode::Monitor
        } else {
            Mode::Enforce
        },
        log: rng.chance(20),
        untrusted_transit: false,
        controls: BTreeSet::new(),
        controls_span: None,
    }
}

pub fn random_model(rng: &mut Rng) -> Model {
    let mut zones = Vec::new();
    if rng.chance(60) {
        zones.push(zone(
            "internet",
            ZoneClass::External,
            &["0.0.0.0/0", "::/0"],
            &[],
        ));
    }
    let count = 2 + rng.below(3) as usize;
    for i in 0..count {
        let v4 = format!("10.{i}.0.0/16");
        let v6 = format!("2001:db8:{i}::/48");
        let a1 = format!("10.{i}.0.1");
        let a2 = format!("2001:db8:{i}::2");
        let mut nets = vec![v4.as_str()];
        if rng.chance(50) {
            nets.push(v6.as_str());
        }
        let mut assets = vec![];
        if rng.chance(70) {
            assets.push(a1.as_str());
        }
        if nets.len() == 2 && rng.chance(50) {
            assets.push(a2.as_str());
        }
        zones.push(zone(&format!("z{i}"), ZoneClass::Ot, &nets, &assets));
    }
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    let mut model = Model {
        zones,
        ..Model::default()
    };
    model.services = (0..3).map(|i| random_service(rng, i)).collect();
    let conduits = 1 + rng.below(4) as usize;
    model.conduits = (0..conduits)
        .map(|i| random_conduit(rng, &model, i))
        .collect();
    model
}

fn random_addr(rng: &mut Rng, model: &Model) -> IpAddr {
    let z = rng.below(model.zones.len() as u64 + 1) as usize;
    let s = match rng.below(6) {
        0 | 1 => model
            .zones
            .get(z)
            .and_then(|zone| zone.assets.first())
            .map(|a| a.address.value.to_string()),
        2 => Some(format!("10.{}.{}.{}", z, rng.below(3), rng.below(4))),
        3 => Some(format!("2001:db8:{z}::{}", rng.below(4))),
        4 => Some(format!("192.0.2.{}", rng.below(4))),
        _ => Some(format!("2001:db8:ff::{}", rng.below(3))),
    };
    s.unwrap_or_else(|| "10.0.0.1".to_string()).parse().unwrap()
}

fn endpoint_addr(rng: &mut Rng, model: &Model, ep: &Endpoint) -> IpAddr {
    let zone = &model.zones[ep.zone.0 as usize];
    if let Some(a) = ep.asset {
        return zone.assets[a as usize].address.value;
    }
    match rng.pick(&zone.networks).value {
        IpNet::V4(n) if n.prefix_len() == 0 => {
            format!("198.51.100.{}", rng.below(4)).parse().unwrap()
        }
        IpNet::V6(n) if n.prefix_len() == 0 => {
            format!("2001:db8:ff::{}", rng.below(3)).parse().unwrap()
        }
        IpNet::V4(n) => IpAddr::V4(n.hosts().nth(rng.below(5) as usize).unwrap_or(n.addr())),
        IpNet::V6(n) => IpAddr::V6(n.hosts().nth(rng.below(5) as usize).unwrap_or(n.addr())),
    }
}

/// A packet along a random conduit flow (often reversed) or anywhere, at
/// an instant from the compile date to four weeks later: inside and
/// outside windows, before and after expiries.
pub fn random_packet(
    rng: &mut Rng,
    model: &Model,
    ifaces: Option<&BTreeMap<ZoneId, String>>,
) -> Packet {
    let (src, mut dst) = if model.conduits.is_empty() || rng.chance(40) {
        (random_addr(rng, model), random_addr(rng, model))
    } else {
        let c = rng.pick(&model.conduits);
        let a = *rng.pick(&c.initiators);
        let b = *rng.pick(&c.responders);
        let (a, b) = (endpoint_addr(rng, model, &a), endpoint_addr(rng, model, &b));
        if rng.chance(25) {
            (b, a)
        } else {
            (a, b)
        }
    };
    if src.is_ipv4() != dst.is_ipv4() {
        dst = src;
    }
    let ports = [22u16, 100, 105, 110, 111, 123, 443];
    let l4 = match rng.below(5) {
        0 | 1 => PacketL4::Tcp(*rng.pick(&ports)),
        2 => PacketL4::Udp(*rng.pick(&ports)),
        3 => PacketL4::Icmp(*rng.pick(&[0u8, 8, 128])),
        _ => PacketL4::Proto(*rng.pick(&[47u8, 50])),
    };
    let sport = match l4 {
        PacketL4::Tcp(_) | PacketL4::Udp(_) => Some(*rng.pick(&ports)),
        _ => None,
    };
    let icmp_code = match l4 {
        PacketL4::Icmp(_) => Some(*rng.pick(&[0u8, 1])),
        _ => None,
    };
    let as_of = Date::parse(AS_OF).unwrap().days_since_epoch() * 86_400;
    // Whole minutes mostly, exact window edges sometimes.
    let unix_time = as_of + rng.below(28 * 86_400) as i64;
    let unix_time = if rng.chance(30) {
        unix_time - unix_time.rem_euclid(3600)
    } else {
        unix_time
    };
    let iface_of = |rng: &mut Rng, a: IpAddr| -> Option<String> {
        let map = ifaces?;
        if rng.chance(15) {
            return Some("ifx".to_string());
        }
        let name = zone_of(model, a)?;
        let id = model.zones.iter().position(|z| z.name == name)?;
        map.get(&ZoneId(id as u32)).cloned()
    };
    let iif = iface_of(rng, src);
    let oif = iface_of(rng, dst);
    Packet {
        src,
        dst,
        l4,
        sport,
        icmp_code,
        iif,
        oif,
        unix_time,
    }
}

/// A random policy compiled with random options, and the interfaces of
/// its target (when it has one).
pub fn random_plan(rng: &mut Rng) -> (Model, Plan, Option<BTreeMap<ZoneId, String>>) {
    let model = random_model(rng);
    let mode = if rng.chance(20) {
        Mode::Monitor
    } else {
        Mode::Enforce
    };
    let ifaces: Option<BTreeMap<ZoneId, String>> = rng.chance(30).then(|| {
        model
            .zone_ids()
            .filter(|_| rng.chance(80))
            .map(|z| (z, format!("ge-0/0/{}.0", z.0)))
            .collect()
    });
    let opts = PlanOptions {
        mode,
        log_denied: rng.chance(80),
        as_of: Date::parse(AS_OF).unwrap(),
        interfaces: ifaces.clone(),
        target: None,
    };
    let (plan, _) = plan::build(&model, &opts);
    (model, plan, ifaces)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn panos_xml_decides_like_the_plan(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let (model, plan, ifaces) = random_plan(&mut rng);
        let compiled = compile::generate(compile::backend("panos").unwrap(), &plan);
        let Ok(files) = compiled else {
            // Only a window with an expiry beyond the member cap is refused.
            let errs = compiled.unwrap_err();
            prop_assert!(errs.iter().all(|d| d.code == "E0505"), "{:?}", errs);
            return Ok(());
        };
        let pan = read_pan(&files[0].text);
        for _ in 0..200 {
            let pkt = random_packet(&mut rng, &model, ifaces.as_ref());
            let (permit, logged) = pan_verdict(&pan, &model, &pkt);
            if let Err(e) = assert_same(&plan, permit, logged, &pkt) {
                prop_assert!(false, "seed {}: {}\n{}", seed, e, files[0].text);
            }
        }
    }

    #[test]
    fn srx_text_decides_like_the_plan(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let (model, plan, ifaces) = random_plan(&mut rng);
        let text = srx_text(&plan);
        let srx = read_srx(&text);
        for _ in 0..200 {
            let pkt = random_packet(&mut rng, &model, ifaces.as_ref());
            let (permit, logged) = srx_verdict(&srx, &model, &pkt);
            if let Err(e) = assert_same(&plan, permit, logged, &pkt) {
                prop_assert!(false, "seed {}: {}\n{}", seed, e, text);
            }
        }
    }
}

// ---- the command line ---------------------------------------------------

#[test]
fn cli_compiles_riverside_for_both_vendors() {
    let exe = env!("CARGO_BIN_EXE_conduit");
    let plant = root_dir().join("examples/riverside/plant.zc");
    let model = riverside();
    for (backend, file) in [
        ("junos-srx", "cli-riverside.conf"),
        ("panos", "cli-riverside.xml"),
    ] {
        let out = temp_file(file, "");
        let run = std::process::Command::new(exe)
            .arg("compile")
            .arg(&plant)
            .args(["--backend", backend, "--as-of", "2026-11-28", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
        for (p, allowed) in riverside_probes() {
            let permit = if backend == "panos" {
                let mut load = out.as_os_str().to_owned();
                load.push(".load");
                assert!(std::fs::read_to_string(load)
                    .unwrap()
                    .contains("mode replace"));
                pan_verdict(&read_pan(&text), &model, &p).0
            } else {
                srx_verdict(&read_srx(&text), &model, &p).0
            };
            assert_eq!(permit, allowed, "{backend} {p:?}");
            assert_eq!(plan.verdict(&p) == Verdict::Allow, allowed);
        }
    }
}

// ---- a generated plant: realistic names, vendor windows and expiries ----

#[test]
fn vendor_outputs_of_a_generated_plant_decide_like_the_plan() {
    let params = crate::gen_plant::Params::new(12, 7);
    let plant = crate::gen_plant::generate(&params);
    let dir = std::env::temp_dir().join(format!("conduit-vendor-plant-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in &plant.files {
        std::fs::write(dir.join(&f.name), &f.text).unwrap();
    }
    let loaded = conduit::load_policy(std::slice::from_ref(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let model = loaded.model;
    let plan = build(&model, &options(Mode::Enforce, AS_OF));
    assert!(plan
        .rules
        .iter()
        .any(|r| r.window.is_some() && r.expires.is_some()));
    let srx = read_srx(&srx_text(&plan));
    let pan = read_pan(&pan_text(&plan));
    let mut rng = Rng(7);
    let mut allowed = 0;
    for i in 0..4000 {
        let p = if i % 2 == 0 {
            random_packet(&mut rng, &model, None)
        } else {
            rule_packet(&mut rng, &plan)
        };
        let (permit, logged) = srx_verdict(&srx, &model, &p);
        assert_same(&plan, permit, logged, &p).unwrap();
        let (permit, logged) = pan_verdict(&pan, &model, &p);
        assert_same(&plan, permit, logged, &p).unwrap();
        allowed += usize::from(permit);
    }
    // The probes reach allowed traffic too, not only the final rule.
    assert!(allowed > 500, "{allowed}");
}

/// A packet aimed at a random rule: its first source and destination
/// addresses and its first port, at a random instant of four weeks.
fn rule_packet(rng: &mut Rng, plan: &Plan) -> Packet {
    use conduit::compile::addr::from_int;
    use conduit::compile::plan::L4;
    let rule = rng.pick(&plan.rules);
    let first = |m| plan.ranges(m).unwrap().ranges()[0].0;
    let l4 = match &rule.l4 {
        L4::Tcp(p) => PacketL4::Tcp(p[0].lo),
        L4::Udp(p) => PacketL4::Udp(p[0].hi),
        L4::Icmp(t) => PacketL4::Icmp(t.unwrap_or(8)),
        L4::Proto(n) => PacketL4::Proto(*n),
        L4::Any => PacketL4::Tcp(1),
    };
    let as_of = Date::parse(AS_OF).unwrap().days_since_epoch() * 86_400;
    Packet {
        src: from_int(rule.family, first(&rule.src)),
        dst: from_int(rule.family, first(&rule.dst)),
        l4,
        sport: rule.sports.first().map(|r| r.lo),
        icmp_code: rule.icmp_code,
        iif: None,
        oif: None,
        unix_time: as_of + rng.below(28 * 86_400) as i64,
    }
}

#[test]
fn interface_names_are_checked_by_the_profile_backend() {
    let model = riverside();
    let load = |backend: &str, iface: &str| {
        let text = format!("name: fw\nbackend: {backend}\ninterfaces:\n  line1: {iface}\n");
        let mut sources = SourceMap::new();
        let (_, diags) = target::load(&mut sources, "fw", None, text, &model);
        diags.iter().map(|d| d.code.clone()).collect::<Vec<_>>()
    };
    assert!(load("junos-srx", "ge-0/0/4.101").is_empty());
    assert!(load("panos", "ethernet1/4.101").is_empty());
    // Linux backends keep the 15-byte Linux rule.
    assert_eq!(load("nftables", "ge-0/0/4.101"), ["E0504"]);
    // Nothing that needs quoting reaches a vendor file.
    assert_eq!(load("junos-srx", "\"ge-0/0/4; }\""), ["E0504"]);
    assert_eq!(load("panos", "\"eth<1>&\""), ["E0504"]);
}
