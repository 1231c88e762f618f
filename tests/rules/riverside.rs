//! The riverside plant of the language brief (examples/riverside/plant.zc):
//! its exact findings, worked out by hand from the rule conditions.
//!
//! Zones (SL-T as FR vectors {IAC UC SI DC RDF TRE RA}):
//!   internet   external, no SL-T (counts as 0)
//!   enterprise it, L4, {1 1 1 1 1 1 1}, owner IT Infrastructure
//!   idmz       dmz, L3.5, {3 3 3 3 3 3 3}, owner OT Security; historian-mirror, jump (jump-host)
//!   site-ops   ot, L3, {2 2 2 2 2 2 2}, owner Plant Engineering
//!   supervisory ot, L2, {2 2 2 2 2 2 2}, owner Operations
//!   line1      ot, L1, {3 3 3 2 3 2 3}, owner Operations
//!   sis        safety, L1, {4 …}, bpcs line1, no conduits
//! No zone is `monitored`; no conduit has `ids`, `flow-logs`, `log` or `rate-limit`.

use super::harness::{check_path, root, rows};

type Row = (&'static str, &'static str, &'static str, &'static str);

/// Findings as of 2026-11-28 (both vendor conduits and the waiver run to 2027-03-31).
const TODAY: &[Row] = &[
    // DOC-006: site-ops (OT) names no shutdown-authority.
    ("plant.zc:27", "DOC-006", "warning", "active"),
    // PATH-005: line1.filler-plc is `patchable false`, and the vendor
    // session (internet -> idmz.jump -> line1) gives a foothold in line1.
    ("plant.zc:46", "PATH-005", "warning", "active"),
    // sis: DOC-006 (no shutdown-authority), DOC-007 (SL-T 4, no assets).
    ("plant.zc:59", "DOC-006", "warning", "active"),
    ("plant.zc:59", "DOC-007", "warning", "active"),
    // historian-mirror (site-ops.historian -> idmz.historian-mirror):
    // BND-007: into idmz (TRE/RDF 3), unmonitored.
    ("plant.zc:75", "BND-007", "warning", "active"),
    // BND-008: RA 2 into RA 3 without rate-limit; RA >= 3 escalates info -> warning.
    ("plant.zc:75", "BND-008", "warning", "active"),
    // PRO-001: historian-link is authenticated but not encrypted; idmz DC 3 >
    // site-ops DC 2, no tunnel -> error (IAC/SI are covered by authentication).
    ("plant.zc:77", "PRO-001", "error", "active"),
    // business-reports (enterprise -> idmz.historian-mirror, https):
    // BND-007 and BND-008 (RA 1 into RA 3) as above; BND-002: the initiator
    // is the whole enterprise zone and idmz is RDF 3. https is authenticated
    // and encrypted: no PRO-001. https into the DMZ and historian-link out of
    // it are disjoint: no SEG-009. RA-002: https also carries RD Gateway and
    // web HMIs (pivot- and write-capable), so this is interactive access from
    // the enterprise network without MFA; idmz IAC 3 -> error.
    ("plant.zc:81", "BND-007", "warning", "active"),
    ("plant.zc:81", "BND-008", "warning", "active"),
    ("plant.zc:81", "RA-002", "error", "active"),
    ("plant.zc:82", "BND-002", "warning", "active"),
    // hmi-control (supervisory.hmi-1, supervisory.scada -> line1, s7comm):
    // BND-007; BND-008 (RA 2 into RA 3); BND-002 (responder is all of line1,
    // RDF 3); PRO-001: s7comm is unauthenticated, line1 IAC/SI 3 > 2.
    // L2 -> L1 is the normal layer: no PRO-003, no SEG-010.
    ("plant.zc:87", "BND-007", "warning", "active"),
    ("plant.zc:87", "BND-008", "warning", "active"),
    ("plant.zc:88", "BND-002", "warning", "active"),
    ("plant.zc:89", "PRO-001", "error", "active"),
    // engineering (supervisory.ews -> line1.filler-plc, s7comm, s7comm-plus):
    // BND-007, BND-008, PRO-001 on s7comm and on s7comm-plus (without TLS
    // its session protection has been bypassed: not authenticated). Both
    // ends are assets: no BND-002.
    ("plant.zc:93", "BND-007", "warning", "active"),
    ("plant.zc:93", "BND-008", "warning", "active"),
    ("plant.zc:95", "PRO-001", "error", "active"),
    ("plant.zc:95", "PRO-001", "error", "active"),
    // vendor-support (internet -> idmz.jump, https, vendor, mfa, recording,
    // idle-timeout, expires, schedule): RA-001..004 are satisfied (ends on a
    // DMZ jump host, MFA, time-boxed, timeout and recording). BND-007,
    // BND-008 (RA 0 into RA 3), BND-002 (the whole internet as source).
    ("plant.zc:100", "BND-007", "warning", "active"),
    ("plant.zc:100", "BND-008", "warning", "active"),
    ("plant.zc:101", "BND-002", "warning", "active"),
    // vendor-to-plc (idmz.jump -> line1.filler-plc, s7comm, vendor, expires):
    // starts from the DMZ jump host (RA-001 ok) and inherits mfa, recording
    // and idle-timeout from vendor-support, the one remote conduit ending on
    // that jump host (RA-002/004 ok). BND-007. idmz RA 3 = line1 RA 3: no
    // BND-008. PRO-001: s7comm is unauthenticated and line1 is IAC/SI 3;
    // that idmz is SL 3 too is no exemption (SR 3.1 RE1 asks it of line1's
    // communication). PRO-003: write-capable s7comm from L3.5 into L1 ->
    // warning (not error: idmz is not IT), waived by the complete, unexpired
    // compensating waiver. RA-003: no approval, no schedule, and the expiry
    // is 123 days ahead, more than max-remote-window-days (90) -> error
    // (line1 IAC 3).
    ("plant.zc:111", "BND-007", "warning", "active"),
    // PATH-002 on vendor-to-plc, the conduit that brings the attack path
    // into control: internet -> idmz.jump (vendor session, a foothold) ->
    // line1: 2 conduits < min-hops 3. https from the enterprise gives no
    // foothold in idmz. supervisory is further (line1 -> site-ops ->
    // supervisory through time-sync in monitor mode); sis has no conduit.
    // PATH-001 does not fire: every attack path enters idmz first.
    ("plant.zc:111", "PATH-002", "warning", "active"),
    ("plant.zc:111", "RA-003", "error", "active"),
    ("plant.zc:113", "PRO-001", "error", "active"),
    ("plant.zc:113", "PRO-003", "warning", "waived"),
    // time-sync (line1, supervisory <-> site-ops, ntp, mode monitor):
    // BND-003: monitor mode into line1 (RDF 3) -> error. BND-007. BND-008:
    // only site-ops (RA 2) -> line1 (RA 3) is a step up. DOC-001: no owner,
    // and the protected zones (all three, `<->`) have owners Operations and
    // Plant Engineering. DOC-003: no justification, protects RDF 3 -> error.
    // SEG-010: line1 (L1) <-> site-ops (L3). BND-002: all endpoints are whole
    // zones. PRO-001: ntp is unauthenticated and line1, an NTP client here
    // (`<->`), is SI 3: its clock is at stake.
    ("plant.zc:119", "BND-003", "error", "active"),
    ("plant.zc:119", "BND-007", "warning", "active"),
    ("plant.zc:119", "BND-008", "warning", "active"),
    ("plant.zc:119", "DOC-001", "error", "active"),
    ("plant.zc:119", "DOC-003", "error", "active"),
    ("plant.zc:119", "SEG-010", "warning", "active"),
    ("plant.zc:120", "BND-002", "warning", "active"),
    ("plant.zc:121", "PRO-001", "error", "active"),
];

fn owned(rows: &[Row]) -> Vec<(String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

#[test]
fn riverside_findings_today() {
    let (loaded, report) = check_path(&root().join("examples/riverside/plant.zc"), "2026-11-28");
    assert_eq!(rows(&loaded, &report), owned(TODAY));
    assert_eq!(
        (
            report.summary.errors,
            report.summary.warnings,
            report.summary.infos,
            report.summary.waived
        ),
        (11, 23, 0, 1)
    );
    assert!(report.diagnostics.is_empty());
    // The day before everything expires, only RA-003 changes: the expiry
    // is then within max-remote-window-days, a bounded window.
    let (loaded, report) = check_path(&root().join("examples/riverside/plant.zc"), "2027-03-30");
    let mut bounded = owned(TODAY);
    bounded.retain(|r| r.1 != "RA-003");
    assert_eq!(rows(&loaded, &report), bounded);
}

#[test]
fn riverside_yaml_form_gives_the_same_findings() {
    let (_, zc) = check_path(&root().join("examples/riverside/plant.zc"), "2026-11-28");
    let (_, yaml) = check_path(
        &root().join("examples/riverside-yaml/plant.yaml"),
        "2026-11-28",
    );
    let key = |r: &conduit::check::CheckReport| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule().to_string(),
                    f.diagnostic.message.clone(),
                    f.status.as_str().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&zc), key(&yaml));
}

/// On 2027-03-31 the vendor conduits and the waiver have all expired (they
/// end at the start of their `expires` day): the vendor conduits allow
/// nothing and are not judged, so their findings go (BND-007/008/002 on
/// vendor-support, BND-007, RA-003, PRO-001 and the waived PRO-003 on
/// vendor-to-plc), and PATH-002 and PATH-005 go with the only attack path
/// into line1. The waiver now
/// matches nothing: WVR-003 (info), not WVR-001, since no finding
/// re-activates.
#[test]
fn riverside_after_vendor_access_expires() {
    let (loaded, report) = check_path(&root().join("examples/riverside/plant.zc"), "2027-03-31");
    let gone = [
        "plant.zc:46",
        "plant.zc:100",
        "plant.zc:101",
        "plant.zc:111",
        "plant.zc:113",
    ];
    let mut expected: Vec<(String, String, String, String)> = owned(TODAY)
        .into_iter()
        .filter(|r| !gone.contains(&r.0.as_str()))
        .collect();
    expected.push((
        "plant.zc:125".into(),
        "WVR-003".into(),
        "info".into(),
        "active".into(),
    ));
    let mut actual = rows(&loaded, &report);
    actual.sort();
    expected.sort();
    assert_eq!(actual, expected);
}
