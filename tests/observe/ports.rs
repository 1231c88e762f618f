//! Source ports in flow logs: a `from PORTS` conduit allows only the
//! connections from its source ports, read from the CSV `sport` column
//! and from Zeek's `id.orig_p`.

use super::support::*;

const POLICY: &str = "zone bms {\n    network 10.60.0.0/24\n}\n\
zone plant {\n    network 10.61.0.0/24\n}\n\
conduit bbmd {\n    bms -> plant\n    allow udp 47808 from 47808\n}\n";

fn judged(log_name: &str, log: &str) -> serde_json::Value {
    let dir = temp_dir(&format!("ports-{log_name}"));
    let policy = dir.join("bms.zc");
    std::fs::write(&policy, POLICY).unwrap();
    let log_path = dir.join(log_name);
    std::fs::write(&log_path, log).unwrap();
    let (run, report) = observe_json(&[policy.to_str().unwrap()], log_path.to_str().unwrap(), &[]);
    assert_eq!(run.code, 1, "one deviation expected: {}", run.stderr);
    report
}

fn only_the_wrong_source_port_deviates(report: &serde_json::Value) {
    let devs = deviations(report);
    assert_eq!(devs.len(), 1, "{devs:?}");
    let d = devs.iter().next().unwrap();
    assert_eq!(
        (d.0.as_str(), d.1.as_str(), d.2.as_str(), d.3),
        ("10.60.0.5", "10.61.0.5", "udp", 47808)
    );
    assert_eq!(
        d.6, 1,
        "one connection from the wrong source port: {devs:?}"
    );
}

#[test]
fn csv_sport_column_decides_from_ports() {
    let report = judged(
        "conn.csv",
        "ts,src,dst,proto,port,sport\n\
         1764583200,10.60.0.5,10.61.0.5,udp,47808,47808\n\
         1764583260,10.60.0.5,10.61.0.5,udp,47808,50000\n",
    );
    only_the_wrong_source_port_deviates(&report);
}

#[test]
fn zeek_orig_p_decides_from_ports() {
    let report = judged(
        "conn.json",
        "{\"ts\":1764583200.1,\"id.orig_h\":\"10.60.0.5\",\"id.orig_p\":47808,\"id.resp_h\":\"10.61.0.5\",\"id.resp_p\":47808,\"proto\":\"udp\"}\n\
         {\"ts\":1764583260.1,\"id.orig_h\":\"10.60.0.5\",\"id.orig_p\":50000,\"id.resp_h\":\"10.61.0.5\",\"id.resp_p\":47808,\"proto\":\"udp\"}\n",
    );
    only_the_wrong_source_port_deviates(&report);
}
