//! The table of language diagnostic codes: one line per code.
//!
//! `E01xx` syntax, `E02xx` names and resolution, `E03xx` values, `E04xx`
//! files and imports, `E05xx` target profiles, `E06xx` configuration,
//! `W0xxx` language warnings. Rule findings use the rule IDs of the rule
//! pack (`SEG-008`, ...). Append only: a code, once released, never changes
//! meaning.

/// `(code, one-line summary)` for every language diagnostic.
pub const CODES: &[(&str, &str)] = &[
    ("E0101", "syntax error: unexpected input"),
    ("E0102", "unterminated string literal"),
    ("E0103", "unclosed block: missing `}`"),
    ("E0104", "unknown statement keyword"),
    ("E0105", "unknown attribute for this statement"),
    ("E0106", "attribute has the wrong number or kind of values"),
    ("E0107", "attribute given twice"),
    ("E0108", "invalid name"),
    ("E0109", "nesting too deep"),
    ("E0110", "invalid character or encoding"),
    ("E0111", "required attribute missing"),
    ("E0201", "unknown zone"),
    ("E0202", "unknown asset"),
    ("E0203", "unknown service"),
    ("E0204", "duplicate name"),
    ("E0205", "networks of two zones overlap"),
    ("E0206", "asset address outside its zone's networks"),
    ("E0207", "conduit joins a zone to itself"),
    ("E0208", "built-in service redefined"),
    ("E0209", "two assets share an address"),
    ("E0210", "conduit has no flow line"),
    ("E0211", "conduit allows no service"),
    ("E0212", "invalid safety-zone link (`bpcs`)"),
    ("E0213", "waiver names an unknown rule"),
    ("E0214", "included service is unknown"),
    ("E0215", "service included twice in one bundle"),
    ("E0216", "services include each other (an include cycle)"),
    ("E0218", "group contains itself (a cycle of nested groups)"),
    ("E0219", "group has the name of a zone"),
    ("E0220", "group has no members"),
    ("E0221", "conduit joins a zone to itself through a group"),
    ("E0222", "multi-homed asset has two addresses in one zone"),
    (
        "E0224",
        "a multicast group or DNS name as a source: it is only ever a destination",
    ),
    (
        "E0225",
        "a multicast group or DNS name without the zone it is delivered into",
    ),
    ("E0226", "TCP service to a multicast group"),
    ("E0301", "invalid network (CIDR)"),
    ("E0302", "invalid IP address"),
    ("E0303", "invalid port or port range"),
    ("E0304", "invalid date"),
    ("E0305", "invalid schedule"),
    ("E0306", "security level outside 0-4"),
    ("E0307", "Purdue level not one of 0, 1, 2, 3, 3.5, 4, 5"),
    ("E0308", "invalid value for an enumerated attribute"),
    ("E0309", "invalid boolean"),
    ("E0310", "invalid protocol number or ICMP type"),
    (
        "E0311",
        "invalid source ports (`from` without ports, or twice)",
    ),
    ("E0312", "invalid ICMP code or ICMP line"),
    ("E0317", "invalid multicast group"),
    (
        "E0318",
        "link-local multicast scope: never forwarded by a router",
    ),
    ("E0319", "invalid DNS name"),
    ("E0321", "unknown time zone in a schedule"),
    ("E0401", "file cannot be read"),
    ("E0402", "import cycle"),
    ("E0403", "imported file not found"),
    ("E0404", "YAML policy cannot be read"),
    (
        "E0405",
        "backend writes several files: standard output cannot hold them (give `-o`)",
    ),
    ("E0406", "not a regular file (FIFO, device, socket)"),
    ("E0407", "file larger than the size limit"),
    ("E0408", "file outside the policy's directory tree"),
    ("E0409", "file does not look like a policy (not shown)"),
    ("E0501", "target profile names an unknown zone"),
    ("E0502", "target profile names an unknown backend"),
    (
        "E0503",
        "two zones on one interface without address separation",
    ),
    ("E0504", "target profile is invalid"),
    (
        "E0505",
        "a window with an expiry needs more dated schedule entries than the backend allows",
    ),
    ("E0506", "two policy names map to one vendor name"),
    ("E0507", "the backend cannot express this policy exactly"),
    (
        "E0510",
        "expiry date outside the range the backend can express",
    ),
    ("E0511", "two generated names of a backend clash"),
    (
        "E0530",
        "the backend cannot express this DNS-name destination",
    ),
    (
        "E0531",
        "the backend cannot pass this multicast destination",
    ),
    ("E0535", "target profile `clock` is not a time zone"),
    (
        "E0536",
        "the backend compares schedules with the kernel's UTC clock: `clock` must be UTC",
    ),
    (
        "E0537",
        "a weekly schedule in a time zone other than the device clock",
    ),
    ("E0601", "project configuration is invalid"),
    ("W0001", "conduit already expired: left out of the firewall"),
    ("W0002", "host bits set in a network address"),
    (
        "W0003",
        "conduit compiles to no firewall rule: its ends share no address family",
    ),
    (
        "W0004",
        "redundant port entry: already covered by the other ports of its list",
    ),
    ("W0005", "conduit expires soon"),
    (
        "W0006",
        "an always-on conduit allows traffic of a scheduled or expiring conduit",
    ),
    (
        "W0007",
        "conduit is redundant: another conduit allows all of its traffic",
    ),
    (
        "W0008",
        "ICMP error type as a service: it never starts a connection",
    ),
    ("W0010", "endpoint listed twice in one group"),
    (
        "W0012",
        "DNS name in a zone that is not external: its addresses are not confined to the zone",
    ),
    (
        "W0014",
        "a zoned schedule is compiled for a UTC clock: exact only until the next offset change",
    ),
    ("O0001", "malformed flow-log line: skipped and counted"),
    (
        "I0001",
        "inventory value or row the import cannot use: left out",
    ),
    (
        "I0002",
        "inventory draft error: the networks of two zones overlap",
    ),
];

/// Summary line of a code, if it is a language code.
pub fn summary(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, s)| *s)
}
