//! Hostile and corrupted log lines: each is skipped or a counted warning
//! with its line number, never a panic, and nothing of it reaches the
//! report unescaped.

use super::support::*;
use conduit::model::Date;
use conduit::observe::read::{Format, Reader};
use conduit::observe::Line;

const HOSTILE: &[&str] = &[
    "",
    "\0\0\0",
    "#fields",
    "#separator \\x",
    "#separator \\xZZ",
    "#separator ",
    "#types\tstring",
    "{",
    "}",
    "{\"ts\":\"NaN\",\"id.orig_h\":\"10.30.0.21\",\"id.resp_h\":\"10.40.1.10\",\"proto\":\"tcp\",\"id.resp_p\":102}",
    "{\"ts\":1e400,\"id.orig_h\":\"10.30.0.21\",\"id.resp_h\":\"10.40.1.10\",\"proto\":\"tcp\",\"id.resp_p\":102}",
    "{\"ts\":{},\"id.orig_h\":\"10.30.0.21\",\"id.resp_h\":\"10.40.1.10\",\"proto\":\"tcp\",\"id.resp_p\":102}",
    "{\"ts\":1,\"ts\":2}",
    "{\"ts\":1796029200,\"id.orig_h\":\"10.30.0.21\\n\",\"id.resp_h\":\"x\",\"proto\":\"tcp\",\"id.resp_p\":70000}",
    "1796029200,10.30.0.21,10.40.1.10,icmp,300",
    "1796029200,999.1.1.1,10.40.1.10,tcp,102",
    "1796029200,10.30.0.21,2001:db8:10::1,tcp,102",
    "1796029200,10.30.0.21,10.40.1.10,tcp,-1",
    "1796029200,10.30.0.21,10.40.1.10,gre\u{202e},1",
    "9999999999999999999999,10.30.0.21,10.40.1.10,tcp,102",
    "2026-11-30T25:00:00Z x kernel: conduit-deny: SRC=1.2.3.4 DST=10.40.1.10 PROTO=TCP DPT=102 SYN",
    "no timestamp kernel: conduit-deny: SRC=1.2.3.4 DST=10.40.1.10 PROTO=TCP DPT=102 SYN",
    "2026-11-30T10:00:00Z fw kernel: conduit-deny: SRC= DST= PROTO=",
    "2026-11-30T10:00:00Z fw kernel: conduit-deny: SRC=10.30.0.21 DST=10.40.1.10 PROTO=TCP SYN",
    "Feb 30 10:00:00 fw kernel: conduit-deny: SRC=10.30.0.21 DST=10.40.1.10 PROTO=UDP DPT=1",
    "\u{2028}\u{202e}\u{1b}[31m\"<script>&]]>*/\\",
];

fn clean(s: &str) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || c == '\u{2028}'
    })
}

#[test]
fn every_reader_survives_every_hostile_line() {
    let reference = Date::parse("2026-12-01").unwrap();
    let formats = [
        None,
        Some(Format::Zeek),
        Some(Format::ZeekJson),
        Some(Format::Kernel),
        Some(Format::Csv),
    ];
    for format in formats {
        // Once per line on a fresh reader, and all in sequence on one.
        let mut shared = Reader::new(format, reference);
        for line in HOSTILE {
            for reader in [&mut Reader::new(format, reference), &mut shared] {
                match reader.line(line) {
                    Line::Conn(c) => panic!("{format:?} accepted {line:?} as {c:?}"),
                    Line::Skip => {}
                    Line::Bad(m) => assert!(clean(&m), "{format:?}: unescaped message {m:?}"),
                }
            }
        }
    }
}

#[test]
fn zeek_header_variants_are_read() {
    let reference = Date::parse("2026-12-01").unwrap();
    let mut r = Reader::new(None, reference);
    // A comma separator, another unset marker, a set[...] and a table[...]
    // column, fields in another order; then a second log after #close.
    let lines = [
        "#separator \\x2c",
        "#unset_field,NONE",
        "#fields,proto,id.resp_p,id.resp_h,tunnel_parents,id.orig_p,id.orig_h,ts,extra",
        "#types,enum,port,addr,set[string],port,addr,time,table[count]",
        "tcp,102,10.40.1.10,NONE,5000,10.30.0.21,1796029200.5,NONE",
        "#close,2026-12-01-00-00-00",
        "tcp,102,10.40.1.10,NONE,5000,10.30.0.21,1796029200.5,NONE",
        "#separator \\x09",
        "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto",
        "1796029200\t10.30.0.21\t8\t10.40.1.10\t0\ticmp",
        "1796029200\t10.30.0.21\t-\t10.40.1.10\t-\ttcp",
        "1796029200\t10.30.0.21\t1\t10.40.1.10",
    ];
    let got: Vec<String> = lines
        .iter()
        .map(|l| match r.line(l) {
            Line::Conn(c) => format!("conn {} {} {:?} {}", c.src, c.dst, c.l4, c.ts),
            Line::Skip => "skip".to_string(),
            Line::Bad(m) => format!("bad {m}"),
        })
        .collect();
    assert_eq!(got[4], "conn 10.30.0.21 10.40.1.10 Tcp(102) 1796029200");
    assert!(got[6].starts_with("bad a record before"), "{}", got[6]);
    assert_eq!(got[9], "conn 10.30.0.21 10.40.1.10 Icmp(8) 1796029200");
    assert!(
        got[10].starts_with("bad no destination port"),
        "{}",
        got[10]
    );
    assert!(got[11].starts_with("bad 4 fields"), "{}", got[11]);
    assert!(got.iter().take(4).all(|g| g == "skip"), "{got:?}");
}

#[test]
fn a_hostile_log_gives_line_numbered_warnings_and_a_clean_report() {
    let dir = temp_dir("hostile");
    let log = dir.join("evil\u{1b}[2J.csv");
    let mut text = String::from("ts,src,dst,proto,port\n");
    text.push_str(&"A".repeat(100_000));
    text.push('\n');
    for l in HOSTILE.iter().filter(|l| !l.is_empty()) {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str("1796029200,10.30.0.21,10.40.1.10,tcp,102\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\xff\xfe,\x00\n");
    bytes.extend_from_slice(b"1796029200,10.30.0.21,10.25.0.10,tcp,22\n");
    std::fs::write(&log, bytes).unwrap();
    let path = log.to_str().unwrap();
    for format in ["text", "markdown", "json"] {
        let run = conduit(&["observe", PLANT, "--log", path, "--format", format]);
        // The last line is a deviation (ssh along the monitored time-sync).
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(clean(&run.stdout), "{format}: {:?}", run.stdout);
        assert!(clean(&run.stderr), "{format}: {:?}", run.stderr);
        assert!(run.stderr.contains(":3: warning[O0001]"), "{}", run.stderr);
        assert!(
            run.stderr
                .contains(":2: warning[O0001]: line of 100000 bytes"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("more malformed lines not shown"),
            "{}",
            run.stderr
        );
    }
    let (_, report) = observe_json(&[PLANT], path, &[]);
    let s = &report["summary"];
    assert_eq!(s["connections"], 2);
    // Header, long line, the hostile lines but the empty one, two good lines, one binary.
    assert_eq!(s["lines"], HOSTILE.len() as u64 - 1 + 5);
    assert!(s["malformed"].as_u64().unwrap() >= 20, "{s}");
}

#[test]
fn kernel_log_variants_are_read() {
    let reference = Date::parse("2026-12-01").unwrap();
    let mut r = Reader::new(Some(Format::Kernel), reference);
    let cases = [
        // journalctl -o short-iso-precise, IPv6, ICMPv6 echo.
        (
            "2026-11-30T19:30:12.123456+00:00 fw kernel: conduit-monitor: IN=ens6 OUT=ens7 SRC=2001:db8:10::5 DST=2001:db8:40::10 LEN=104 TC=0 HOPLIMIT=63 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=7 SEQ=1",
            "conn 2001:db8:10::5 2001:db8:40::10 Icmp(128) 1796067012",
        ),
        // journalctl (short), a zero-padded day, an offset-free UDP packet.
        (
            "Nov 30 19:30:12 fw kernel: conduit-deny: IN=ens6 OUT=ens7 SRC=10.30.0.5 DST=8.8.8.8 LEN=76 PROTO=UDP SPT=5353 DPT=53 LEN=56",
            "conn 10.30.0.5 8.8.8.8 Udp(53) 1796067012",
        ),
        // An ICMP error quoting the packet it answers: the outer addresses count.
        (
            "2026-11-30T19:30:12Z fw kernel: conduit-deny: IN=ens6 OUT=ens7 SRC=10.30.0.5 DST=10.40.1.10 LEN=56 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.40.1.10 DST=10.30.0.5 LEN=28 PROTO=UDP SPT=1 DPT=2 LEN=8 ]",
            "conn 10.30.0.5 10.40.1.10 Icmp(3) 1796067012",
        ),
        // dmesg's own time inside the message, another protocol by number.
        (
            "2026-11-30T19:30:12+0000 fw kernel: [ 1234.5678] conduit-deny: IN=ens6 OUT=ens7 SRC=10.30.0.5 DST=10.40.1.10 LEN=56 PROTO=47",
            "conn 10.30.0.5 10.40.1.10 Proto(47) 1796067012",
        ),
        // A reply (SYN ACK) and an ACK logged by monitor mode: not a new connection.
        (
            "2026-11-30T19:30:12Z fw kernel: conduit-monitor: SRC=10.40.1.10 DST=10.30.0.5 PROTO=TCP SPT=102 DPT=50000 ACK SYN URGP=0",
            "skip",
        ),
        (
            "2026-11-30T19:30:12Z fw kernel: conduit-monitor: SRC=10.40.1.10 DST=10.30.0.5 PROTO=TCP SPT=102 DPT=50000 ACK URGP=0",
            "skip",
        ),
        ("2026-11-30T19:30:12Z fw sshd[1]: Accepted publickey for ops", "skip"),
    ];
    for (line, want) in cases {
        let got = match r.line(line) {
            Line::Conn(c) => format!("conn {} {} {:?} {}", c.src, c.dst, c.l4, c.ts),
            Line::Skip => "skip".to_string(),
            Line::Bad(m) => format!("bad {m}"),
        };
        assert_eq!(got, want, "{line}");
    }
}
