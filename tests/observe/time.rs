//! Schedules and expiry judged at each connection's instant, whatever
//! the run's date.

use super::support::*;

const POLICY: &str = r#"
zone ops {
    purdue 3
    sl 2
    network 10.25.0.0/24
    asset hist 10.25.0.10 { role historian }
}
zone cell {
    purdue 1
    sl 2
    network 10.40.1.0/24
    asset plc 10.40.1.10 { role plc }
}
conduit contractor {
    ops.hist -> cell.plc
    allow modbus
    expires 2026-12-01
    justification "temporary"
}
conduit shift {
    ops.hist -> cell.plc
    allow s7comm
    schedule "mon-fri 06:00-18:00"
    justification "staffed hours"
}
"#;

#[test]
fn expiry_and_windows_follow_each_connection() {
    let dir = temp_dir("time");
    let policy = dir.join("p.zc");
    std::fs::write(&policy, POLICY).unwrap();
    let log = dir.join("l.csv");
    // Monday 2026-11-30 12:00, Monday 23:59:59, Tuesday 00:00:00, Saturday 10:00.
    std::fs::write(
        &log,
        "ts,src,dst,proto,port\n\
         2026-11-30T12:00:00Z,10.25.0.10,10.40.1.10,tcp,502\n\
         2026-11-30T23:59:59Z,10.25.0.10,10.40.1.10,tcp,502\n\
         2026-12-01T00:00:00Z,10.25.0.10,10.40.1.10,tcp,502\n\
         2026-11-30T12:00:00Z,10.25.0.10,10.40.1.10,tcp,102\n\
         2026-12-05T10:00:00Z,10.25.0.10,10.40.1.10,tcp,102\n",
    )
    .unwrap();
    // A run long after the expiry still judges November's traffic by
    // November's policy.
    let (run, report) = observe_json(
        &[policy.to_str().unwrap()],
        log.to_str().unwrap(),
        &["--as-of", "2027-06-01"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let got = deviations(&report);
    let want = [
        dev(
            "10.25.0.10",
            "10.40.1.10",
            "tcp",
            102,
            "outside-window",
            "drop",
            1,
        ),
        dev("10.25.0.10", "10.40.1.10", "tcp", 502, "expired", "drop", 1),
    ];
    assert_eq!(got, want.into_iter().collect());
    let allowed: Vec<(u64, u64)> = report["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["port"].as_u64().unwrap(), a["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(allowed, [(102, 1), (502, 2)]);
}
