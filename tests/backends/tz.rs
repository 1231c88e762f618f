//! Schedules in IANA time zones: goldens for every backend, the real tools,
//! the evaluator against independent readings of each backend's output at
//! instants around DST changes and across UTC midnight, and the refusals
//! (E0535, E0536, E0537) and the end-of-exactness warning (W0014).

use crate::asa_reader::AsaConfig;
use crate::fortigate_reader::FortiConfig;
use crate::golden::check_golden;
use crate::support::{build, emit, options, policy, root_dir, root_or_skip};
use crate::vendor::{assert_same, pan_verdict, read_pan, read_srx, srx_verdict};
use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::{self, target, Plan};
use conduit::model::{utc_offset, Mode, Model};
use conduit::source::SourceMap;
use std::process::Command;

/// For firewalls on UTC: zones east and west of UTC, a window that crosses
/// UTC midnight (Auckland, New York in summer), one with an expiry, one in
/// the hour the spring change skips.
const UTC_POLICY: &str = r#"
zone ops { network 10.25.0.0/24 }
zone line1 { network 10.40.1.0/24 }
conduit berlin-shift {
    ops -> line1
    allow tcp 102
    schedule "mon-fri 06:00-18:00 Europe/Berlin"
}
conduit auckland {
    ops -> line1
    allow tcp 502
    schedule "mon 06:00-18:00 Pacific/Auckland"
}
conduit ny-late {
    ops -> line1
    allow tcp 8080
    schedule "fri 22:00-23:30 America/New_York"
    expires 2027-12-01
}
conduit berlin-night {
    ops -> line1
    allow tcp 9000
    schedule "daily 02:30-03:30 Europe/Berlin"
}
conduit utc-plain {
    ops -> line1
    allow tcp 22
    schedule "sat 10:00-12:00"
}
"#;

/// For vendor devices whose clock runs in Europe/Berlin.
const BERLIN_POLICY: &str = r#"
zone ops { network 10.25.0.0/24 }
zone line1 { network 10.40.1.0/24 }
conduit berlin-shift {
    ops -> line1
    allow tcp 102
    schedule "mon-fri 06:00-18:00 Europe/Berlin"
}
conduit berlin-night {
    ops -> line1
    allow tcp 9000
    schedule "daily 02:30-03:30 Europe/Berlin"
}
conduit weekend-maint {
    ops -> line1
    allow tcp 8443
    schedule "sat,sun 08:00-12:00 Europe/Berlin"
    expires 2027-04-10
}
conduit until-april {
    ops -> line1
    allow tcp 8080
    expires 2027-04-10
}
"#;

const PORTS_UTC: &[u16] = &[102, 502, 8080, 9000, 22];
const PORTS_BERLIN: &[u16] = &[102, 9000, 8443, 8080];
const BERLIN: &str = "Europe/Berlin";
const AS_OF: &str = "2027-03-20";

fn unix(s: &str) -> i64 {
    let d = conduit::model::Date::parse(&s[..10]).unwrap();
    let h: i64 = s[11..13].parse().unwrap();
    let m: i64 = s[14..16].parse().unwrap();
    let sec: i64 = s.get(17..19).map_or(0, |x| x.parse().unwrap());
    d.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec
}

fn pkt(port: u16, t: i64) -> Packet {
    Packet {
        src: "10.25.0.5".parse().unwrap(),
        dst: "10.40.1.5".parse().unwrap(),
        l4: PacketL4::Tcp(port),
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: t,
    }
}

fn utc_plan() -> (Model, Plan) {
    let model = policy(UTC_POLICY);
    let plan = build(&model, &options(Mode::Enforce, AS_OF));
    (model, plan)
}

fn berlin_plan(clock: Option<&str>) -> (Model, Plan) {
    let model = policy(BERLIN_POLICY);
    let mut plan = build(&model, &options(Mode::Enforce, AS_OF));
    plan.clock = clock.map(String::from);
    (model, plan)
}

/// Instants every 5 minutes over `[from, to)`, plus the minutes either side
/// of every hour (window edges, UTC midnight, DST changes at 01:00 UTC).
fn instants(from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        out.push(t);
        if t % 3600 == 0 {
            out.push(t - 1);
            out.push(t + 59);
        }
        t += 300;
    }
    out
}

// ---- an independent reading of the nftables and iptables time matches ----

/// One accept line's port and time conditions, read from the text.
struct TimedLine {
    port: u16,
    /// Days, 0 = Sunday; `None`: every day.
    days: Option<Vec<i64>>,
    /// Inclusive seconds of the day.
    secs: Option<(i64, i64)>,
    /// Exclusive end instant.
    before: Option<i64>,
}

impl TimedLine {
    fn open(&self, port: u16, t: i64) -> bool {
        let wday = (t.div_euclid(86_400) + 4).rem_euclid(7);
        let sec = t.rem_euclid(86_400);
        self.port == port
            && self.days.as_ref().is_none_or(|d| d.contains(&wday))
            && self.secs.is_none_or(|(a, b)| a <= sec && sec <= b)
            && self.before.is_none_or(|e| t < e)
    }
}

fn after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(key).nth(1)?.split_whitespace().next()
}

fn hms(s: &str) -> i64 {
    let p: Vec<i64> = s.split(':').map(|x| x.parse().unwrap()).collect();
    p[0] * 3600 + p[1] * 60 + p[2]
}

fn read_iptables(text: &str) -> Vec<TimedLine> {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    text.lines()
        .filter(|l| l.starts_with("-A ") && l.contains("--dport ") && l.contains("ACCEPT"))
        .map(|l| TimedLine {
            port: after(l, "--dport ").unwrap().parse().unwrap(),
            days: after(l, "--weekdays ").map(|s| {
                s.split(',')
                    .map(|d| DAYS.iter().position(|x| *x == d).unwrap() as i64)
                    .collect()
            }),
            secs: after(l, "--timestart ").map(|a| (hms(a), hms(after(l, "--timestop ").unwrap()))),
            before: after(l, "--datestop ").map(|s| unix(&s.replace('T', " ")) + 1),
        })
        .collect()
}

/// The instant until which every zone of the UTC policy is exact.
fn exact_until(plan: &Plan) -> i64 {
    let at = compile::plan::date_to_unix(plan.as_of);
    plan.rules
        .iter()
        .filter_map(|r| r.window.as_ref())
        .filter_map(|w| w.to_utc(at).exact_until)
        .min()
        .unwrap()
}

#[test]
fn utc_firewalls_decide_like_the_zoned_evaluator_until_the_next_change() {
    let (_, plan) = utc_plan();
    let from = compile::plan::date_to_unix(plan.as_of);
    let until = exact_until(&plan);
    // Berlin's spring change is the first: 2027-03-28 01:00 UTC.
    assert_eq!(until, unix("2027-03-28 01:00"));
    let nft_text = &emit("nftables", &plan)[0].text;
    let nft = crate::nft_reader::parse(nft_text);
    assert!(
        nft_text
            .lines()
            .any(|l| l.contains(" meta hour ") && l.contains(" counter accept comment ")),
        "zoned windows are walked rules"
    );
    let ipt = read_iptables(&emit("iptables", &plan)[0].text);
    for t in instants(from, until) {
        for &port in PORTS_UTC {
            let want = plan.verdict(&pkt(port, t)) == Verdict::Allow;
            assert_eq!(
                crate::nft_reader::text_verdict(&nft, &pkt(port, t), plan.mode).0 == Verdict::Allow,
                want,
                "nftables port {port} at {t}"
            );
            assert_eq!(
                ipt.iter().any(|l| l.open(port, t)),
                want,
                "iptables port {port} at {t}"
            );
        }
    }
    // Across UTC midnight: Auckland's Monday 06:00 (+13:00) is Sunday 17:00 UTC.
    assert_eq!(
        plan.verdict(&pkt(502, unix("2027-03-21 17:00"))),
        Verdict::Allow
    );
    assert_eq!(
        plan.verdict(&pkt(502, unix("2027-03-21 16:59"))),
        Verdict::Deny
    );
    assert_eq!(
        plan.verdict(&pkt(502, unix("2027-03-22 04:59"))),
        Verdict::Allow
    );
    assert_eq!(
        plan.verdict(&pkt(502, unix("2027-03-22 05:00"))),
        Verdict::Deny
    );
    // New York Friday 22:00-23:30 (-04:00) is Saturday 02:00-03:30 UTC.
    assert_eq!(
        plan.verdict(&pkt(8080, unix("2027-03-20 02:00"))),
        Verdict::Allow
    );
    assert_eq!(
        plan.verdict(&pkt(8080, unix("2027-03-19 22:00"))),
        Verdict::Deny
    );
}

#[test]
fn the_evaluator_follows_the_wall_clock_at_dst_changes() {
    let (_, plan) = utc_plan();
    let open = |port, s: &str| plan.verdict(&pkt(port, unix(s))) == Verdict::Allow;
    // Spring forward, 2027-03-28: 02:00 CET jumps to 03:00 CEST (01:00 UTC);
    // "02:30-03:30" opens at the jump and closes at 03:30 CEST.
    assert!(open(9000, "2027-03-27 01:30")); // 02:30 CET the day before
    assert!(!open(9000, "2027-03-28 00:59"));
    assert!(open(9000, "2027-03-28 01:00"));
    assert!(open(9000, "2027-03-28 01:29"));
    assert!(!open(9000, "2027-03-28 01:30"));
    // Fall back, 2027-10-31: 03:00 CEST returns to 02:00 CET (01:00 UTC);
    // 02:30-03:00 CEST and 02:30-03:30 CET are both open.
    assert!(open(9000, "2027-10-31 00:30"));
    assert!(!open(9000, "2027-10-31 01:00"));
    assert!(open(9000, "2027-10-31 01:30"));
    assert!(!open(9000, "2027-10-31 02:30"));
    // The weekday shift follows the offset: 06:00 Berlin is 04:00 UTC in summer.
    assert!(open(102, "2027-03-29 04:00"));
    assert!(!open(102, "2027-03-29 03:59"));
    assert!(!open(102, "2027-03-26 04:30"));
}

#[test]
fn vendor_devices_on_the_zone_clock_decide_like_the_evaluator_through_dst() {
    let (model, plan) = berlin_plan(Some(BERLIN));
    // Both DST changes of 2027 and the expiry on 2027-04-10.
    let mut ts = instants(unix("2027-03-26 00:00"), unix("2027-04-12 00:00"));
    ts.extend(instants(unix("2027-10-29 00:00"), unix("2027-11-02 00:00")));
    let srx = read_srx(&emit("junos-srx", &plan)[0].text);
    let pan = read_pan(&emit("panos", &plan)[0].text);
    let asa = AsaConfig::parse(&emit("cisco-asa", &plan)[0].text);
    let fgt = FortiConfig::parse(&emit("fortigate", &plan)[0].text);
    for t in ts {
        // The device compares its Berlin wall clock: the readers, which
        // read the written times as they are, get that reading.
        let local = t + utc_offset(Some(BERLIN), t);
        for &port in PORTS_BERLIN {
            let real = pkt(port, t);
            let seen = pkt(port, local);
            let (permit, logged) = srx_verdict(&srx, &model, &seen);
            assert_same(&plan, permit, logged, &real).unwrap_or_else(|e| panic!("junos: {e}"));
            let (permit, logged) = pan_verdict(&pan, &model, &seen);
            assert_same(&plan, permit, logged, &real).unwrap_or_else(|e| panic!("panos: {e}"));
            assert_eq!(asa.verdict(&seen), plan.verdict(&real), "asa: {real:?}");
            assert_eq!(
                fgt.verdict(&seen),
                plan.verdict(&real),
                "fortigate: {real:?}"
            );
        }
    }
}

#[test]
fn zoned_goldens_for_every_backend() {
    let (_, plan) = utc_plan();
    for (backend, ext) in [("nftables", "nft"), ("iptables", "rules")] {
        for f in emit(backend, &plan) {
            check_golden(&format!("tz/{backend}-utc.{ext}{}", f.suffix), &f.text);
        }
    }
    let (_, plan) = berlin_plan(Some(BERLIN));
    for (backend, ext) in [
        ("junos-srx", "conf"),
        ("panos", "xml"),
        ("cisco-asa", "cfg"),
        ("fortigate", "conf"),
    ] {
        for f in emit(backend, &plan) {
            check_golden(
                &format!("tz/{backend}-berlin-clock.{ext}{}", f.suffix),
                &f.text,
            );
        }
    }
}

#[test]
fn zoned_rules_pass_the_real_tools() {
    if !root_or_skip("zoned_rules_pass_the_real_tools") {
        return;
    }
    let (_, plan) = utc_plan();
    for backend in ["nftables", "iptables"] {
        crate::tools::tool_accepts(&emit(backend, &plan), &format!("tz-{backend}"));
    }
}

#[test]
fn the_header_states_the_offset_and_the_end_of_exactness() {
    let (_, plan) = utc_plan();
    let nft = &emit("nftables", &plan)[0].text;
    assert!(nft.contains(
        "# schedules in Europe/Berlin: converted to UTC with offset +01:00 in force at 2027-03-20 00:00 UTC; exact until 2027-03-28 01:00 UTC (its next offset change)\n"
    ), "{nft}");
    assert!(nft.contains("# schedules in Pacific/Auckland: converted to UTC with offset +13:00"));
    let ipt = &emit("iptables", &plan)[0].text;
    assert!(ipt.contains("# schedules in America/New_York: converted to UTC with offset -04:00"));
    // A policy without zones keeps its header.
    let plain = build(&policy("zone a { network 10.1.0.0/24 }\nzone b { network 10.2.0.0/24 }\nconduit c {\n a -> b\n allow ssh\n schedule \"mon 06:00-07:00\"\n}\n"), &options(Mode::Enforce, AS_OF));
    assert!(!emit("nftables", &plain)[0].text.contains("# schedules in"));
}

#[test]
fn w0014_warns_when_the_end_of_exactness_is_near() {
    let (_, plan) = utc_plan();
    for backend in ["nftables", "iptables"] {
        let b = compile::backend(backend).unwrap();
        let w = b.warnings(&plan);
        let names: Vec<&str> = w
            .iter()
            .map(|d| d.message.split('`').nth(1).unwrap())
            .collect();
        // Berlin changes in 8 days, Auckland in 14; New York not until November.
        assert_eq!(names, ["auckland", "berlin-night", "berlin-shift"], "{w:?}");
        assert!(w.iter().all(|d| d.code == "W0014" && d.help.is_some()));
    }
    let far = build(&policy(UTC_POLICY), &options(Mode::Enforce, "2027-01-10"));
    assert!(compile::backend("nftables")
        .unwrap()
        .warnings(&far)
        .is_empty());
    // Vendor backends on the zone's clock need no warning.
    let (_, plan) = berlin_plan(Some(BERLIN));
    assert!(compile::backend("junos-srx")
        .unwrap()
        .warnings(&plan)
        .is_empty());
}

#[test]
fn w0014_points_at_the_schedule_on_the_command_line() {
    let dir = tempfile::Builder::new()
        .prefix("conduit-tz-")
        .tempdir()
        .unwrap();
    let file = dir.path().join("p.zc");
    std::fs::write(&file, UTC_POLICY).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(["compile", "--backend", "nftables", "--as-of", AS_OF])
        .arg(&file)
        .env("NO_COLOR", "1")
        .current_dir(root_dir())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("W0014"), "{err}");
    assert!(err.contains("times on the Europe/Berlin clock"), "{err}");
    assert!(
        err.contains("schedule \"mon-fri 06:00-18:00 Europe/Berlin\""),
        "{err}"
    );
}

#[test]
fn vendor_backends_refuse_a_weekly_window_off_the_device_clock_e0537() {
    // Clock UTC (the default), windows in Berlin.
    let (_, plan) = berlin_plan(None);
    for (backend, conduits) in [
        // Junos and the ASA write a window with an expiry as a recurring
        // schedule that ends: on the wrong clock too.
        (
            "junos-srx",
            vec!["berlin-night", "berlin-shift", "weekend-maint"],
        ),
        (
            "cisco-asa",
            vec!["berlin-night", "berlin-shift", "weekend-maint"],
        ),
        // PAN-OS and FortiOS write it as dated entries, exact on any clock.
        ("panos", vec!["berlin-night", "berlin-shift"]),
        ("fortigate", vec!["berlin-night", "berlin-shift"]),
    ] {
        let errs = compile::generate(compile::backend(backend).unwrap(), &plan).unwrap_err();
        assert!(
            errs.iter().all(|d| d.code == "E0537" && d.help.is_some()),
            "{backend}: {errs:?}"
        );
        let mut names: Vec<&str> = errs
            .iter()
            .map(|d| d.message.split('`').nth(1).unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, conduits, "{backend}");
    }
    // A UTC schedule on a device whose clock runs in Berlin is refused too.
    let mut plan = build(
        &policy(
            UTC_POLICY
                .replace(" Pacific/Auckland", "")
                .replace(" America/New_York", "")
                .replace(" Europe/Berlin", "")
                .as_str(),
        ),
        &options(Mode::Enforce, AS_OF),
    );
    plan.clock = Some(BERLIN.to_string());
    let errs = compile::generate(compile::backend("junos-srx").unwrap(), &plan).unwrap_err();
    assert!(
        errs.iter().any(|d| d
            .message
            .contains("schedule in UTC, but the Junos SRX clock runs in Europe/Berlin")),
        "{errs:?}"
    );
}

#[test]
fn dated_entries_are_written_on_the_device_clock() {
    let (_, plan) = berlin_plan(Some(BERLIN));
    // The expiry 2027-04-10 00:00 UTC is 02:00 CEST.
    let srx = &emit("junos-srx", &plan)[0].text;
    assert!(srx.contains("stop-date 2027-04-10.02:00;"), "{srx}");
    assert!(srx.contains("start-date 2027-03-20.01:00"), "{srx}");
    let asa = &emit("cisco-asa", &plan)[0].text;
    assert!(asa.contains("absolute end 01:59 10 April 2027"), "{asa}");
    let pan = &emit("panos", &plan)[0].text;
    assert!(pan.contains("2027/04/04@08:00-2027/04/04@12:00"), "{pan}");
    // 00:00 UTC of 2036-01-01 is 01:00 on a Berlin clock: past the ASA's
    // last `absolute end` (2035), so E0507, while a UTC clock takes it.
    let late = BERLIN_POLICY.replace("2027-04-10", "2036-01-01");
    let mut plan = build(&policy(&late), &options(Mode::Enforce, AS_OF));
    plan.clock = Some(BERLIN.to_string());
    let errs = compile::generate(compile::backend("cisco-asa").unwrap(), &plan).unwrap_err();
    assert!(errs.iter().all(|d| d.code == "E0507"), "{errs:?}");
    let mut plan = build(
        &policy(&late.replace(" Europe/Berlin", "")),
        &options(Mode::Enforce, AS_OF),
    );
    plan.clock = None;
    assert!(compile::generate(compile::backend("cisco-asa").unwrap(), &plan).is_ok());
    let (_, utc) = berlin_plan(None);
    let pan = compile::generate(compile::backend("panos").unwrap(), &utc);
    assert!(
        pan.is_err(),
        "weekly Berlin windows on a UTC clock are refused"
    );
}

fn load_profile(text: &str) -> (bool, Vec<(String, String, String)>) {
    let model = policy(BERLIN_POLICY);
    let mut sources = SourceMap::new();
    let (t, diags) = target::load(&mut sources, "fw.yaml", None, text.to_string(), &model);
    let diags = diags
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                sources
                    .snippet(d.primary.as_ref().unwrap().span)
                    .to_string(),
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect();
    (t.is_some(), diags)
}

#[test]
fn profile_clock_is_checked_e0535_e0536() {
    let base = "name: fw\ninterfaces:\n  ops: eth1\n  line1: eth2\n";
    let (ok, d) = load_profile(&format!("{base}backend: junos-srx\nclock: Europe/Berln\n"));
    assert!(!ok);
    assert_eq!(
        (d[0].0.as_str(), d[0].1.as_str()),
        ("E0535", "Europe/Berln")
    );
    let (_, d) = load_profile(&format!("{base}backend: panos\nclock: europe/berlin\n"));
    assert_eq!(
        (d[0].0.as_str(), d[0].2.as_str()),
        ("E0535", "write `Europe/Berlin`")
    );
    for backend in ["nftables", "iptables"] {
        let (ok, d) = load_profile(&format!("{base}backend: {backend}\nclock: Europe/Berlin\n"));
        assert!(!ok);
        assert_eq!(
            (d[0].0.as_str(), d[0].1.as_str()),
            ("E0536", "Europe/Berlin"),
            "{backend}"
        );
        let (ok, d) = load_profile(&format!("{base}backend: {backend}\nclock: UTC\n"));
        assert!(ok && d.is_empty(), "{d:?}");
    }
    let (ok, d) = load_profile(&format!("{base}backend: fortigate\nclock: Europe/Berlin\n"));
    assert!(ok && d.is_empty(), "{d:?}");
    // Hostile text in the clock is quoted, never echoed raw.
    let (_, d) = load_profile(&format!(
        "{base}backend: fortigate\nclock: \"x\\u202e\\n*/]]>\"\n"
    ));
    assert_eq!(d[0].0, "E0535");
}

// ---- property: random zoned windows, instants at DST changes and UTC midnight ----

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Asia/Tokyo",
];

/// A random zoned schedule, its policy, and the instants to probe: UTC
/// midnights and window edges (in UTC, with the offset at `as_of`) and
/// the hours around the zone's next changes.
fn random_case(rng: &mut crate::prop::Rng) -> (String, String, &'static str, bool) {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let zone = *rng.pick(ZONES);
    let days: Vec<&str> = DAYS.iter().copied().filter(|_| rng.chance(50)).collect();
    let days = if days.is_empty() { vec!["wed"] } else { days };
    let start = rng.below(96) as u16 * 15;
    let end = (start + 15 + rng.below(48) as u16 * 15).min(1440);
    let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let as_of = conduit::model::Date::from_days_since_epoch(
        conduit::model::Date::parse("2026-06-01")
            .unwrap()
            .days_since_epoch()
            + rng.below(700) as i64,
    )
    .to_string();
    let expiry = rng.chance(40);
    let exp = if expiry {
        let d = conduit::model::Date::parse(&as_of)
            .unwrap()
            .days_since_epoch()
            + 3
            + rng.below(40) as i64;
        format!(
            "    expires {}\n",
            conduit::model::Date::from_days_since_epoch(d)
        )
    } else {
        String::new()
    };
    let text = format!(
        "zone ops {{ network 10.25.0.0/24 }}\nzone line1 {{ network 10.40.1.0/24 }}\n\
         conduit c {{\n    ops -> line1\n    allow tcp 102\n    schedule \"{} {}-{} {zone}\"\n{exp}}}\n",
        days.join(","),
        hm(start),
        hm(end)
    );
    (text, as_of, zone, expiry)
}

fn probe_instants(from: i64, to: i64, rng: &mut crate::prop::Rng) -> Vec<i64> {
    let mut out = Vec::new();
    let mut day = from.div_euclid(86_400) * 86_400;
    while day < to {
        for d in [-1, 0, 1, 899, 900] {
            out.push(day + d);
        }
        for _ in 0..24 {
            out.push(day + rng.below(86_400) as i64 / 60 * 60);
        }
        // Every quarter hour: the window edges are on quarter hours.
        out.extend((0..96).map(|q| day + q * 900 - 1));
        out.extend((0..96).map(|q| day + q * 900));
        day += 86_400;
    }
    out.retain(|t| (from..to).contains(t));
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 40, ..Default::default() })]

    /// nftables and iptables (read back from their text) agree with the
    /// zoned evaluator from `as_of` until the zone's next offset change.
    #[test]
    fn utc_firewalls_agree_with_random_zoned_windows(seed in proptest::prelude::any::<u64>()) {
        let mut rng = crate::prop::Rng(seed);
        let (text, as_of, _, _) = random_case(&mut rng);
        let plan = build(&policy(&text), &options(Mode::Enforce, &as_of));
        let from = compile::plan::date_to_unix(plan.as_of);
        let until = plan.rules[0].window.as_ref().unwrap().to_utc(from).exact_until.unwrap_or(from + 30 * 86_400);
        let until = until.min(from + 10 * 86_400);
        let nft = crate::nft_reader::parse(&emit("nftables", &plan)[0].text);
        let ipt = read_iptables(&emit("iptables", &plan)[0].text);
        for t in probe_instants(from, until, &mut rng) {
            let want = plan.verdict(&pkt(102, t)) == Verdict::Allow;
            let got = crate::nft_reader::text_verdict(&nft, &pkt(102, t), plan.mode).0 == Verdict::Allow;
            proptest::prop_assert_eq!(got, want, "nftables at {} for\n{}", t, text);
            proptest::prop_assert_eq!(ipt.iter().any(|l| l.open(102, t)), want, "iptables at {} for\n{}", t, text);
        }
    }

    /// Each vendor device whose clock runs in the schedule's zone (read
    /// back by the independent readers, given the device's wall clock)
    /// agrees with the evaluator around the zone's offset changes and
    /// across UTC midnight, with and without an expiry.
    #[test]
    fn vendor_devices_agree_with_random_zoned_windows(seed in proptest::prelude::any::<u64>()) {
        let mut rng = crate::prop::Rng(seed);
        let (text, as_of, zone, _) = random_case(&mut rng);
        let model = policy(&text);
        let mut plan = build(&model, &options(Mode::Enforce, &as_of));
        plan.clock = Some(zone.to_string());
        let from = compile::plan::date_to_unix(plan.as_of);
        let mut ts = probe_instants(from, from + 3 * 86_400, &mut rng);
        // The next two changes, a day either side.
        let mut at = from;
        for _ in 0..2 {
            let Some(t) = conduit::model::next_transition(Some(zone), at) else { break };
            ts.extend(probe_instants(t - 86_400, t + 86_400, &mut rng));
            at = t;
        }
        let srx = read_srx(&emit("junos-srx", &plan)[0].text);
        let asa = AsaConfig::parse(&emit("cisco-asa", &plan)[0].text);
        let pan = crate::support::emit_within_limits("panos", &plan, &["E0505"]).map(|f| read_pan(&f[0].text));
        let fgt = crate::support::emit_within_limits("fortigate", &plan, &["E0505"]).map(|f| FortiConfig::parse(&f[0].text));
        for t in ts {
            let real = pkt(102, t);
            let seen = pkt(102, t + utc_offset(Some(zone), t));
            let want = plan.verdict(&real);
            let (permit, logged) = srx_verdict(&srx, &model, &seen);
            proptest::prop_assert!(assert_same(&plan, permit, logged, &real).is_ok(), "junos at {} for\n{}", t, text);
            proptest::prop_assert_eq!(asa.verdict(&seen), want, "asa at {} for\n{}", t, text);
            if let Some(pan) = &pan {
                let (permit, logged) = pan_verdict(pan, &model, &seen);
                proptest::prop_assert!(assert_same(&plan, permit, logged, &real).is_ok(), "panos at {} for\n{}", t, text);
            }
            if let Some(fgt) = &fgt {
                proptest::prop_assert_eq!(fgt.verdict(&seen), want, "fortigate at {} for\n{}", t, text);
            }
        }
    }
}
