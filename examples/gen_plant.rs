//! Synthetic multi-site plant generator, for scale tests and benchmarks.
//!
//! ```text
//! cargo run --release --example gen_plant -- --sites 200 --seed 1 --out DIR [--as-of 2026-12-01]
//! ```
//!
//! Writes `DIR/shared.zc` (the internet, the corporate data centre, vendor
//! networks and site-independent services) and one `DIR/site-NNNN.zc` per
//! site, each importing `shared.zc`; `conduit check DIR` loads them all.
//!
//! Every site follows the layout IEC 62443-3-2 practice and the Purdue
//! model suggest: an enterprise zone (level 4, IPv4 and IPv6), an
//! industrial DMZ (3.5: historian mirror, report server on IPv6, patch
//! staging, jump host), site operations (3: historian, domain controller,
//! terminal server, patch, backup, MES, log collector), supervisory control
//! (2: SCADA, HMIs, engineering workstations, data collector, time server),
//! three to six cell zones (1: PLCs, remote I/O, drives, meters, panels,
//! each with one controller family and SL-T 2, or SL-T 3 with secure
//! protocol variants only), a safety zone joined only to its BPCS cell, and
//! on some sites a wireless zone (tablets) and a zone for transient
//! maintenance laptops. Conduits join adjacent levels only, name the
//! assets on both ends, use the built-in industrial services, carry an
//! owner and a justification, and add rate limiting where they enter a zone
//! of higher SL-T(RA). Vendor remote access ends on the DMZ jump host with
//! MFA, recording, idle timeout, approval, a weekly schedule and an expiry
//! date; a few cells are being commissioned in `mode monitor` under a
//! documented risk-acceptance waiver.
//!
//! The output depends only on `--seed`, `--sites` and `--as-of`: every site
//! draws from its own generator seeded by `(seed, site)`, so site 7 is the
//! same whether 10 or 1,000 sites are generated. At most 4,096 sites (the
//! address plan gives each site a /20 of 10.0.0.0/8).
//!
//! The same source file is included by `tests/scale.rs` and
//! `benches/phases.rs`, which call [`generate`] directly.

use conduit::model::Date;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Largest `--sites`: the IPv4 plan gives each site a /20 of 10.0.0.0/8.
pub const MAX_SITES: u32 = 4096;

/// Shared zones (internet, corporate data centre, three vendors).
pub const SHARED_ZONES: usize = 5;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub sites: u32,
    pub seed: u64,
    /// Date that expiry dates are placed after (90 to 720 days later).
    pub as_of: Date,
}

impl Params {
    pub fn new(sites: u32, seed: u64) -> Params {
        Params {
            sites,
            seed,
            as_of: Date {
                year: 2026,
                month: 12,
                day: 1,
            },
        }
    }
}

/// One generated `.zc` file.
#[derive(Debug, Clone)]
pub struct PlantFile {
    /// File name, e.g. `site-0007.zc`.
    pub name: String,
    pub text: String,
}

/// Counts of what was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub zones: usize,
    pub assets: usize,
    pub conduits: usize,
    pub waivers: usize,
    pub bytes: usize,
}

/// A generated plant: `shared.zc` first, then the sites in order.
#[derive(Debug, Clone)]
pub struct Plant {
    pub files: Vec<PlantFile>,
    pub stats: Stats,
}

/// Generates a plant of `params.sites` sites (clamped to 1..=[`MAX_SITES`]).
pub fn generate(params: &Params) -> Plant {
    let sites = params.sites.clamp(1, MAX_SITES);
    let mut stats = Stats::default();
    let mut files = Vec::with_capacity(sites as usize + 1);
    let shared = shared_file();
    stats.zones += SHARED_ZONES;
    stats.assets += shared.1;
    files.push(PlantFile {
        name: "shared.zc".to_string(),
        text: shared.0,
    });
    for s in 0..sites {
        let site = Site::build(params, s);
        stats.zones += site.zones.len();
        stats.assets += site.zones.iter().map(|z| z.assets.len()).sum::<usize>();
        stats.conduits += site.conduits.len();
        stats.waivers += site.waivers.len();
        files.push(PlantFile {
            name: format!("site-{:04}.zc", s + 1),
            text: site.render(),
        });
    }
    stats.bytes = files.iter().map(|f| f.text.len()).sum();
    Plant { files, stats }
}

// ---------------------------------------------------------------------------
// Deterministic pseudo-random numbers (SplitMix64).

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi.saturating_sub(lo)) + 1;
        lo + (self.next() % span) as u32
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u32) -> bool {
        self.range(0, 99) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u32::try_from(items.len()).ok()?.checked_sub(1)?;
        items.get(self.range(0, n) as usize)
    }
}

// ---------------------------------------------------------------------------
// The shared file.

/// Vendors with remote-access contracts: zone, display name, network.
const VENDORS: [(&str, &str, &str); 3] = [
    (
        "vendor-automation",
        "Automation OEM remote service",
        "198.51.100.0/26",
    ),
    (
        "vendor-drives",
        "Drive systems service partner",
        "198.51.100.64/26",
    ),
    (
        "vendor-packaging",
        "Packaging line integrator",
        "203.0.113.0/26",
    ),
];

/// `shared.zc` and its asset count.
fn shared_file() -> (String, usize) {
    let mut t = String::new();
    t.push_str(
        "# Shared declarations of the generated multi-site plant: the internet,\n\
         # the corporate data centre, vendor networks and site-independent services.\n\n\
         zone internet {\n    class external\n    description \"Everything outside the company\"\n    \
         network 0.0.0.0/0\n    network ::/0\n}\n\n",
    );
    t.push_str(
        "zone corp-dc {\n    purdue 4\n    sl 1\n    owner \"IT Infrastructure\"\n    \
         description \"Corporate data centre\"\n    network 172.16.0.0/22\n    \
         network 2001:db8:ffff::/48\n    \
         asset remote-gw 172.16.0.10 { role gateway; description \"Employee remote-access gateway\" }\n    \
         asset erp 172.16.0.20 { role erp }\n    \
         asset mail 172.16.0.30 { role mail }\n    \
         asset siem 172.16.1.10 { role corporate-server; description \"Enterprise SIEM\" }\n}\n\n",
    );
    let mut assets = 4;
    for (name, display, net) in VENDORS {
        let base = net.split('/').next().unwrap_or(net);
        let mut octets: Vec<&str> = base.split('.').collect();
        let last: u32 = octets.pop().and_then(|o| o.parse().ok()).unwrap_or(0);
        let prefix = octets.join(".");
        let _ = write!(
            t,
            "zone {name} {{\n    class external\n    description \"{display}\"\n    network {net}\n"
        );
        for i in 1..=2 {
            let _ = writeln!(
                t,
                "    asset egress-{i} {prefix}.{} {{ role gateway; description \"Vendor remote-service egress\" }}",
                last + 10 + i
            );
            assets += 1;
        }
        t.push_str("}\n\n");
    }
    t.push_str(
        "service historian-push {\n    tcp 5450\n    authenticated true\n    encrypted true\n    \
         description \"PI-to-PI replication with transport security (PI Server 2018 and later)\"\n}\n\n\
         service wsus-ssl {\n    tcp 8531\n    authenticated true\n    encrypted true\n    \
         description \"WSUS downstream synchronisation over SSL\"\n}\n\n\
         service report-web {\n    tcp 443\n    authenticated true\n    encrypted true\n    \
         description \"Read-only report pages of the DMZ report server (no HMI, no RD Gateway)\"\n}\n\n\
         service ntp-auth {\n    udp 123\n    authenticated true\n    encrypted false\n    \
         description \"NTP with symmetric-key authentication (RFC 8573 AES-CMAC)\"\n}\n",
    );
    (t, assets)
}

// ---------------------------------------------------------------------------
// One site.

/// SL-T as written and per FR (iac uc si dc rdf tre ra).
#[derive(Debug, Clone, Copy)]
struct Sl([u8; 7]);

impl Sl {
    fn ra(self) -> u8 {
        let [.., ra] = self.0;
        ra
    }

    fn render(self) -> String {
        let [iac, uc, si, dc, rdf, tre, ra] = self.0;
        if self.0.iter().all(|l| *l == iac) {
            format!("sl {iac}")
        } else {
            format!("sl {{ iac {iac}  uc {uc}  si {si}  dc {dc}  rdf {rdf}  tre {tre}  ra {ra} }}")
        }
    }
}

const SL1: Sl = Sl([1; 7]);
const SL2: Sl = Sl([2; 7]);
const SL3: Sl = Sl([3; 7]);
/// A critical cell: SL-T 3 except confidentiality and response time.
const SL3_CELL: Sl = Sl([3, 3, 3, 2, 3, 2, 3]);

struct AssetSpec {
    name: String,
    addr: String,
    attrs: Vec<String>,
}

struct ZoneSpec {
    name: String,
    lines: Vec<String>,
    sl: Sl,
    assets: Vec<AssetSpec>,
}

impl ZoneSpec {
    fn asset(&mut self, name: impl Into<String>, addr: String, attrs: &[&str]) {
        self.assets.push(AssetSpec {
            name: name.into(),
            addr,
            attrs: attrs.iter().map(|a| (*a).to_string()).collect(),
        });
    }
}

#[derive(Default)]
struct ConduitSpec {
    name: String,
    from: Vec<String>,
    to: Vec<String>,
    allow: Vec<String>,
    controls: Vec<&'static str>,
    extra: Vec<String>,
    justification: String,
    owner: String,
}

struct WaiverSpec {
    rule: &'static str,
    conduit: String,
    lines: Vec<String>,
}

/// Controller family of a cell: HMI protocol, engineering protocol,
/// controller-to-controller protocol, meter protocol, PLC vendor.
#[derive(Clone, Copy)]
struct Family {
    hmi: &'static str,
    eng: &'static str,
    peer: &'static str,
    meter: &'static str,
    vendor: &'static str,
}

const FAMILIES_SL2: [Family; 4] = [
    Family {
        hmi: "s7comm",
        eng: "s7comm-plus",
        peer: "s7comm",
        meter: "modbus",
        vendor: "Siemens S7-1500",
    },
    Family {
        hmi: "enip",
        eng: "enip",
        peer: "enip",
        meter: "modbus",
        vendor: "Rockwell ControlLogix 5580",
    },
    Family {
        hmi: "modbus",
        eng: "modbus",
        peer: "modbus",
        meter: "modbus",
        vendor: "Schneider Modicon M580",
    },
    Family {
        hmi: "opcua-tls",
        eng: "codesys",
        peer: "opcua-tls",
        meter: "modbus",
        vendor: "CODESYS V3 controller",
    },
];

/// Families for SL-T 3 cells: secure protocol variants only.
const FAMILIES_SL3: [Family; 2] = [
    Family {
        hmi: "enip-secure",
        eng: "enip-secure",
        peer: "enip-secure",
        meter: "modbus-secure",
        vendor: "Rockwell ControlLogix 5580 (CIP Security)",
    },
    Family {
        hmi: "modbus-secure",
        eng: "modbus-secure",
        peer: "modbus-secure",
        meter: "modbus-secure",
        vendor: "Schneider Modicon M580 (Modbus/TCP Security)",
    },
];

struct Cell {
    zone: usize,
    family: Family,
    secure: bool,
    plcs: Vec<String>,
    panels: Vec<String>,
    drives: Vec<String>,
    meters: Vec<String>,
}

struct Site {
    prefix: String,
    zones: Vec<ZoneSpec>,
    conduits: Vec<ConduitSpec>,
    waivers: Vec<WaiverSpec>,
}

/// Zone slots in a site's /20 (third octet offset) and IPv6 /64 ids.
const SLOT_ENT: u32 = 0;
const SLOT_IDMZ: u32 = 1;
const SLOT_OPS: u32 = 2;
const SLOT_SUP: u32 = 3;
const SLOT_SIS: u32 = 4;
const SLOT_WIFI: u32 = 5;
const SLOT_MAINT: u32 = 6;
const SLOT_CELL0: u32 = 7;

const CITIES: [&str; 12] = [
    "Riverside",
    "Lakeview",
    "Hillcrest",
    "Brookfield",
    "Fairview",
    "Oakdale",
    "Millbrook",
    "Stonebridge",
    "Westport",
    "Northgate",
    "Ashford",
    "Kingsley",
];

const PRODUCTS: [&str; 6] = [
    "bottling",
    "canning",
    "packaging",
    "mixing",
    "palletizing",
    "labelling",
];

impl Site {
    fn build(params: &Params, index: u32) -> Site {
        let mut rng = Rng::new(params.seed, u64::from(index) + 1);
        let prefix = format!("s{:04}", index + 1);
        let mut site = Site {
            prefix,
            zones: Vec::new(),
            conduits: Vec::new(),
            waivers: Vec::new(),
        };
        let city = rng.pick(&CITIES).copied().unwrap_or("Riverside");
        let label = format!("{} {city}", site.prefix);
        let v4 = |slot: u32| format!("10.{}.{}", index / 16, (index % 16) * 16 + slot);
        let v6 = |id: u32| format!("2001:db8:{:x}:{id:x}", index + 1);

        site.enterprise(&label, &v4(SLOT_ENT), &v6(4), &mut rng);
        site.idmz(&label, &v4(SLOT_IDMZ), &v6(0x35));
        site.ops(&label, &v4(SLOT_OPS));
        site.sup(&label, &v4(SLOT_SUP));
        let cells = site.cells(&label, &v4, &mut rng);
        site.sis(&label, &v4(SLOT_SIS), cells.first());
        let wifi = rng
            .chance(50)
            .then(|| site.wifi(&label, &v4(SLOT_WIFI), &mut rng));
        let maint = rng
            .chance(50)
            .then(|| site.maint(&label, &v4(SLOT_MAINT), &mut rng));

        site.site_conduits(params, &mut rng);
        for (k, cell) in cells.iter().enumerate() {
            let next = cells.get(k + 1);
            site.cell_conduits(cell, next, &mut rng);
            if let Some(m) = maint {
                site.maint_conduit(m, cell);
            }
        }
        if let Some(w) = wifi {
            site.wifi_conduit(w);
        }
        if let Some(m) = maint {
            site.maint_patch(m);
        }
        site.commissioning(params, &cells, &mut rng);
        site
    }

    fn zname(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.prefix)
    }

    fn zone(&mut self, suffix: &str, sl: Sl, lines: &[String]) -> usize {
        self.zones.push(ZoneSpec {
            name: self.zname(suffix),
            lines: lines.to_vec(),
            sl,
            assets: Vec::new(),
        });
        self.zones.len() - 1
    }

    fn z(&mut self, i: usize) -> Option<&mut ZoneSpec> {
        self.zones.get_mut(i)
    }

    fn enterprise(&mut self, label: &str, net: &str, net6: &str, rng: &mut Rng) {
        let i = self.zone(
            "ent",
            SL1,
            &[
                "purdue 4".into(),
                "owner \"IT Infrastructure\"".into(),
                format!("site \"{label}\""),
                "description \"Site offices and business systems\"".into(),
                format!("network {net}.0/24"),
                format!("network {net6}::/64"),
            ],
        );
        let pcs = rng.range(12, 16);
        let Some(z) = self.z(i) else { return };
        z.asset(
            "bi-server",
            format!("{net6}::10"),
            &[
                "role corporate-server",
                "description \"Business reporting (IPv6, like the DMZ report server)\"",
            ],
        );
        z.asset(
            "file-server",
            format!("{net}.11"),
            &["role corporate-server"],
        );
        z.asset(
            "print-server",
            format!("{net}.12"),
            &["role corporate-server"],
        );
        z.asset("site-erp", format!("{net}.13"), &["role erp"]);
        for p in 1..=pcs {
            z.asset(
                format!("office-pc-{p:02}"),
                format!("{net}.{}", 100 + p),
                &["role office-pc"],
            );
        }
        z.asset(
            "admin-pc",
            format!("{net6}::100"),
            &[
                "role office-pc",
                "description \"IPv6-only admin workstation\"",
            ],
        );
    }

    fn idmz(&mut self, label: &str, net: &str, net6: &str) {
        let i = self.zone(
            "idmz",
            SL3,
            &[
                "purdue 3.5".into(),
                "owner \"OT Security\"".into(),
                format!("site \"{label}\""),
                "description \"Industrial DMZ: every IT/OT session ends here\"".into(),
                "monitored true".into(),
                format!("network {net}.0/24"),
                format!("network {net6}::/64"),
            ],
        );
        let Some(z) = self.z(i) else { return };
        z.asset("hist-mirror", format!("{net}.10"), &["role historian"]);
        z.asset(
            "reports",
            format!("{net6}::10"),
            &["role server", "description \"Report server (IPv6)\""],
        );
        z.asset(
            "patch-staging",
            format!("{net}.30"),
            &["role server", "description \"WSUS and antivirus staging\""],
        );
        z.asset(
            "jump",
            format!("{net}.40"),
            &[
                "role jump-host",
                "description \"Remote-access broker with session recording\"",
            ],
        );
        z.asset(
            "file-gw",
            format!("{net}.50"),
            &[
                "role server",
                "description \"File transfer gateway with malware scanning\"",
            ],
        );
    }

    fn ops(&mut self, label: &str, net: &str) {
        let i = self.zone(
            "ops",
            SL2,
            &[
                "purdue 3".into(),
                "owner \"Plant Engineering\"".into(),
                "shutdown-authority \"Site operations manager\"".into(),
                format!("site \"{label}\""),
                "description \"Site operations: historian, MES, OT domain services\"".into(),
                "monitored true".into(),
                format!("network {net}.0/24"),
            ],
        );
        let Some(z) = self.z(i) else { return };
        z.asset(
            "historian",
            format!("{net}.10"),
            &["role historian", "critical true"],
        );
        z.asset(
            "dc",
            format!("{net}.11"),
            &[
                "role server",
                "description \"OT domain controller, DNS and NTP\"",
            ],
        );
        z.asset(
            "terminal",
            format!("{net}.12"),
            &["role jump-host", "description \"OT terminal server\""],
        );
        z.asset(
            "patch",
            format!("{net}.13"),
            &["role server", "description \"Downstream WSUS\""],
        );
        z.asset("backup", format!("{net}.14"), &["role server"]);
        z.asset(
            "mes",
            format!("{net}.15"),
            &[
                "role server",
                "description \"Manufacturing execution system\"",
            ],
        );
        z.asset(
            "siem",
            format!("{net}.16"),
            &["role server", "description \"OT log collector\""],
        );
        z.asset(
            "gps-clock",
            format!("{net}.17"),
            &["role other", "description \"GNSS time source\""],
        );
        z.asset(
            "nsm",
            format!("{net}.18"),
            &["role server", "description \"Network security monitoring\""],
        );
        z.asset(
            "av",
            format!("{net}.19"),
            &["role server", "description \"Antivirus management\""],
        );
    }

    fn sup(&mut self, label: &str, net: &str) {
        let i = self.zone(
            "sup",
            SL2,
            &[
                "purdue 2".into(),
                "owner \"Operations\"".into(),
                "shutdown-authority \"Shift supervisor on duty\"".into(),
                format!("site \"{label}\""),
                "monitored true".into(),
                format!("network {net}.0/24"),
            ],
        );
        let Some(z) = self.z(i) else { return };
        z.asset(
            "scada-1",
            format!("{net}.5"),
            &["role scada", "critical true"],
        );
        z.asset(
            "scada-2",
            format!("{net}.6"),
            &["role scada", "critical true"],
        );
        for h in 1..=8 {
            z.asset(
                format!("hmi-{h}"),
                format!("{net}.{}", 20 + h),
                &["role hmi"],
            );
        }
        z.asset(
            "ews-1",
            format!("{net}.30"),
            &["role engineering-workstation"],
        );
        z.asset(
            "ews-2",
            format!("{net}.31"),
            &["role engineering-workstation"],
        );
        z.asset(
            "collector",
            format!("{net}.40"),
            &["role server", "description \"OPC UA data collector\""],
        );
        z.asset(
            "ntp",
            format!("{net}.41"),
            &["role server", "description \"Area time server\""],
        );
        z.asset(
            "alarm",
            format!("{net}.42"),
            &["role server", "description \"Alarm server\""],
        );
    }

    fn cells(&mut self, label: &str, v4: &dyn Fn(u32) -> String, rng: &mut Rng) -> Vec<Cell> {
        let n = rng.range(3, 6);
        let product = rng.pick(&PRODUCTS).copied().unwrap_or("packaging");
        let mut out = Vec::new();
        for k in 1..=n {
            let secure = rng.chance(25);
            let family = if secure {
                rng.pick(&FAMILIES_SL3).copied()
            } else {
                rng.pick(&FAMILIES_SL2).copied()
            };
            let Some(family) = family else { continue };
            let net = v4(SLOT_CELL0 + k - 1);
            let i = self.zone(
                &format!("cell{k:02}"),
                if secure { SL3_CELL } else { SL2 },
                &[
                    "purdue 1".into(),
                    "owner \"Operations\"".into(),
                    format!("shutdown-authority \"Line {k} shift lead\""),
                    format!("site \"{label}\""),
                    format!("description \"{} line {k}\"", capitalise(product)),
                    "monitored true".into(),
                    format!("network {net}.0/24"),
                ],
            );
            let plcs = rng.range(2, 4);
            let panels = rng.range(2, 3);
            let rio = rng.range(8, 14);
            let drives = rng.range(10, 16);
            let legacy = !secure && rng.chance(30);
            let mut cell = Cell {
                zone: i,
                family,
                secure,
                plcs: Vec::new(),
                panels: Vec::new(),
                drives: Vec::new(),
                meters: Vec::new(),
            };
            let Some(z) = self.zones.get_mut(i) else {
                continue;
            };
            let vendor = format!("vendor \"{}\"", family.vendor);
            for p in 1..=plcs {
                let name = format!("plc-{p}");
                let mut attrs = vec!["role plc", vendor.as_str()];
                if p == 1 {
                    attrs.push("critical true");
                }
                if legacy && p == plcs {
                    attrs.push("patchable false");
                }
                z.asset(name.clone(), format!("{net}.{}", 9 + p), &attrs);
                cell.plcs.push(name);
            }
            for p in 1..=panels {
                let name = format!("panel-{p}");
                z.asset(
                    name.clone(),
                    format!("{net}.{}", 19 + p),
                    &["role hmi", "description \"Machine operator panel\""],
                );
                cell.panels.push(name);
            }
            for r in 1..=rio {
                z.asset(
                    format!("rio-{r:02}"),
                    format!("{net}.{}", 29 + r),
                    &["role other", "description \"Remote I/O adapter\""],
                );
            }
            for d in 1..=drives {
                let name = format!("drive-{d:02}");
                z.asset(
                    name.clone(),
                    format!("{net}.{}", 49 + d),
                    &["role other", "description \"Variable-frequency drive\""],
                );
                cell.drives.push(name);
            }
            for m in 1..=2 {
                let name = format!("meter-{m}");
                z.asset(
                    name.clone(),
                    format!("{net}.{}", 69 + m),
                    &["role other", "description \"Energy meter\""],
                );
                cell.meters.push(name);
            }
            z.asset(
                "gateway",
                format!("{net}.80"),
                &["role gateway", "description \"Fieldbus gateway\""],
            );
            out.push(cell);
        }
        out
    }

    fn sis(&mut self, label: &str, net: &str, bpcs: Option<&Cell>) {
        let bpcs_line = bpcs
            .and_then(|c| self.zones.get(c.zone))
            .map(|z| format!("bpcs {}", z.name));
        let mut lines = vec![
            "purdue 1".into(),
            "class safety".into(),
            "owner \"Process Safety\"".into(),
            "shutdown-authority \"Process safety engineer on call\"".into(),
            format!("site \"{label}\""),
            "description \"Safety instrumented system\"".into(),
            "monitored true".into(),
            format!("network {net}.0/28"),
        ];
        lines.extend(bpcs_line);
        let i = self.zone("sis", SL3, &lines);
        let Some(z) = self.z(i) else { return };
        z.asset(
            "sis-plc-1",
            format!("{net}.5"),
            &[
                "role safety-controller",
                "safety true",
                "critical true",
                "patchable false",
            ],
        );
        z.asset(
            "sis-plc-2",
            format!("{net}.6"),
            &[
                "role safety-controller",
                "safety true",
                "critical true",
                "patchable false",
            ],
        );
        z.asset(
            "sis-ews",
            format!("{net}.10"),
            &["role engineering-workstation", "safety true"],
        );
    }

    fn wifi(&mut self, label: &str, net: &str, rng: &mut Rng) -> usize {
        let i = self.zone(
            "wifi",
            SL2,
            &[
                "purdue 2".into(),
                "owner \"Operations\"".into(),
                "shutdown-authority \"Shift supervisor on duty\"".into(),
                format!("site \"{label}\""),
                "description \"Operator tablets on the plant wireless network\"".into(),
                "wireless true".into(),
                "monitored true".into(),
                format!("network {net}.0/24"),
            ],
        );
        let n = rng.range(4, 8);
        if let Some(z) = self.z(i) {
            for t in 1..=n {
                z.asset(
                    format!("tablet-{t}"),
                    format!("{net}.{}", 20 + t),
                    &["role hmi", "wireless true"],
                );
            }
        }
        i
    }

    fn maint(&mut self, label: &str, net: &str, rng: &mut Rng) -> usize {
        let i = self.zone(
            "maint",
            SL2,
            &[
                "purdue 2".into(),
                "owner \"Plant Engineering\"".into(),
                "shutdown-authority \"Shift supervisor on duty\"".into(),
                format!("site \"{label}\""),
                "description \"Transient maintenance laptops\"".into(),
                "temporary true".into(),
                "monitored true".into(),
                format!("network {net}.0/24"),
            ],
        );
        let n = rng.range(2, 4);
        if let Some(z) = self.z(i) {
            for t in 1..=n {
                z.asset(
                    format!("laptop-{t}"),
                    format!("{net}.{}", 20 + t),
                    &["role engineering-workstation", "temporary true"],
                );
            }
        }
        i
    }

    /// `zone.asset` endpoints.
    fn eps(&self, suffix: &str, assets: &[&str]) -> Vec<String> {
        assets
            .iter()
            .map(|a| format!("{}-{suffix}.{a}", self.prefix))
            .collect()
    }

    fn sl_of(&self, endpoint: &str) -> Sl {
        let zone = endpoint.split('.').next().unwrap_or(endpoint);
        self.zones
            .iter()
            .find(|z| z.name == zone)
            .map(|z| z.sl)
            .unwrap_or(Sl([0; 7]))
    }

    /// Adds a conduit; rate limiting where it enters a zone of higher SL-T(RA).
    fn add(&mut self, mut c: ConduitSpec) {
        let ra_in = c.to.iter().map(|e| self.sl_of(e).ra()).max().unwrap_or(0);
        let ra_from = c.from.iter().map(|e| self.sl_of(e).ra()).min().unwrap_or(0);
        if ra_in >= 2 && ra_from < ra_in && !c.controls.contains(&"rate-limit") {
            c.controls.push("rate-limit");
        }
        c.name = format!("{}-{}", self.prefix, c.name);
        self.conduits.push(c);
    }

    fn site_conduits(&mut self, params: &Params, rng: &mut Rng) {
        let p = self.prefix.clone();
        let sup_hosts = ["scada-1", "scada-2", "ews-1", "ews-2", "collector", "alarm"];
        let plain = |name: &str,
                     from: Vec<String>,
                     to: Vec<String>,
                     allow: &[&str],
                     why: &str,
                     owner: &str| ConduitSpec {
            name: name.to_string(),
            from,
            to,
            allow: allow.iter().map(|s| (*s).to_string()).collect(),
            justification: why.to_string(),
            owner: owner.to_string(),
            ..ConduitSpec::default()
        };
        self.add(plain(
            "bi-reports",
            self.eps("ent", &["bi-server"]),
            self.eps("idmz", &["reports"]),
            &["report-web"],
            "Business reporting reads production data from the DMZ report server",
            "OT Security",
        ));
        self.add(plain(
            "hist-mirror",
            self.eps("ops", &["historian"]),
            self.eps("idmz", &["hist-mirror"]),
            &["historian-push"],
            "Site historian pushes process history to the DMZ mirror",
            "OT Security",
        ));
        self.add(plain(
            "patch-pull",
            self.eps("ops", &["patch", "av"]),
            self.eps("idmz", &["patch-staging"]),
            &["wsus-ssl"],
            "Downstream WSUS and antivirus server pull approved updates from DMZ staging",
            "OT Security",
        ));
        self.add(plain(
            "patch-upstream",
            self.eps("idmz", &["patch-staging"]),
            vec!["internet".into()],
            &["https"],
            "DMZ staging downloads vendor updates and signatures",
            "OT Security",
        ));
        self.add(plain(
            "file-transfer",
            self.eps("ops", &["terminal"]),
            self.eps("idmz", &["file-gw"]),
            &["ssh"],
            "Engineers fetch malware-scanned files from the DMZ file gateway over SFTP",
            "OT Security",
        ));
        let mut staff = plain(
            "remote-staff",
            vec!["corp-dc.remote-gw".into()],
            self.eps("idmz", &["jump"]),
            &["https"],
            "Company engineers reach the DMZ jump host from the corporate remote-access gateway",
            "OT Security",
        );
        staff.controls = vec!["mfa", "recording", "idle-timeout"];
        self.add(staff);
        for (v, (vzone, display, _)) in VENDORS.iter().enumerate() {
            if !rng.chance(40) {
                continue;
            }
            let days = i64::from(rng.range(90, 720));
            let expires = Date::from_days_since_epoch(params.as_of.days_since_epoch() + days);
            let start = rng.range(6, 8);
            let mut c = plain(
                &format!("vendor-{}", v + 1),
                vec![format!("{vzone}.egress-1"), format!("{vzone}.egress-2")],
                self.eps("idmz", &["jump"]),
                &["https"],
                "Maintenance contract: vendor sessions are brokered and recorded on the DMZ jump host",
                "OT Security",
            );
            c.controls = vec!["mfa", "recording", "idle-timeout", "approval"];
            c.extra = vec![
                format!("vendor \"{display}\""),
                format!("expires {expires}"),
                format!("schedule \"mon-fri {start:02}:00-{:02}:00\"", start + 9),
                format!("ticket \"CTR-{}-{}\"", p.to_uppercase(), v + 1),
            ];
            self.add(c);
        }
        let mut eng = plain(
            "remote-eng",
            self.eps("idmz", &["jump"]),
            self.eps("ops", &["terminal"]),
            &["rdp"],
            "Second, separately authenticated session from the jump host to the OT terminal server",
            "Plant Engineering",
        );
        eng.controls = vec!["mfa", "recording", "idle-timeout"];
        self.add(eng);
        self.add(plain(
            "ops-admin",
            self.eps("ops", &["terminal"]),
            self.eps("sup", &["scada-1", "scada-2", "ews-1", "ews-2"]),
            &["rdp"],
            "Administration of supervisory servers from the OT terminal server",
            "Operations",
        ));
        self.add(plain(
            "hist-collect",
            self.eps("sup", &["collector", "alarm"]),
            self.eps("ops", &["historian"]),
            &["pi-replication"],
            "Data collector and alarm server write process data to the site historian",
            "Plant Engineering",
        ));
        self.add(plain(
            "mes-data",
            self.eps("ops", &["mes"]),
            self.eps("sup", &["scada-1", "scada-2"]),
            &["opcua-tls"],
            "MES reads production counters and sends orders to SCADA",
            "Operations",
        ));
        self.add(plain(
            "sup-time",
            self.eps("sup", &["ntp"]),
            self.eps("ops", &["dc"]),
            &["ntp"],
            "Area time server follows the OT domain controller",
            "Plant Engineering",
        ));
        self.add(plain(
            "sup-domain",
            self.eps("sup", &sup_hosts),
            self.eps("ops", &["dc"]),
            &["dns", "kerberos", "ldaps"],
            "Supervisory Windows hosts are members of the OT domain",
            "Plant Engineering",
        ));
        self.add(plain(
            "sup-patch",
            self.eps("sup", &sup_hosts),
            self.eps("ops", &["patch", "av"]),
            &["wsus", "https"],
            "Supervisory hosts receive approved patches and signatures from site operations",
            "Plant Engineering",
        ));
        self.add(plain(
            "sup-logs",
            self.eps("sup", &sup_hosts),
            self.eps("ops", &["siem"]),
            &["syslog-tls"],
            "Security events of supervisory hosts go to the OT log collector",
            "Plant Engineering",
        ));
        self.add(plain(
            "backup",
            self.eps("ops", &["backup"]),
            self.eps("sup", &["scada-1", "scada-2", "ews-1", "ews-2"]),
            &["smb"],
            "Nightly backup of SCADA projects and engineering data",
            "Operations",
        ));
    }

    fn cell_conduits(&mut self, cell: &Cell, next: Option<&Cell>, rng: &mut Rng) {
        let Some(zone) = self.zones.get(cell.zone).map(|z| z.name.clone()) else {
            return;
        };
        let short = zone
            .trim_start_matches(&format!("{}-", self.prefix))
            .to_string();
        let at = |assets: &[String]| -> Vec<String> {
            assets.iter().map(|a| format!("{zone}.{a}")).collect()
        };
        let plcs = at(&cell.plcs);
        let k = u32::try_from(cell.zone).unwrap_or(0);
        let h1 = format!("hmi-{}", (2 * k) % 8 + 1);
        let h2 = format!("hmi-{}", (2 * k + 1) % 8 + 1);
        let mk = |name: &str, from: Vec<String>, to: Vec<String>, allow: &str, why: String| {
            ConduitSpec {
                name: format!("{short}-{name}"),
                from,
                to,
                allow: vec![allow.to_string()],
                justification: why,
                owner: "Operations".to_string(),
                ..ConduitSpec::default()
            }
        };
        let f = cell.family;
        self.add(mk(
            "hmi",
            self.eps("sup", &[&h1, &h2, "scada-1", "scada-2"]),
            plcs.clone(),
            f.hmi,
            format!("Operators run {short} from the control room"),
        ));
        let mut eng = mk(
            "eng",
            self.eps("sup", &["ews-1", "ews-2"]),
            plcs.clone(),
            f.eng,
            format!("PLC program changes on {short}"),
        );
        eng.controls = vec!["approval"];
        if rng.chance(50) {
            eng.extra
                .push("schedule \"mon-fri 06:00-18:00\"".to_string());
        }
        self.add(eng);
        self.add(mk(
            "opc",
            self.eps("sup", &["collector"]),
            plcs.clone(),
            "opcua-tls",
            format!("Data collector reads process values of {short}"),
        ));
        let mut time_src = plcs.clone();
        time_src.extend(at(&cell.panels));
        self.add(mk(
            "time",
            time_src,
            self.eps("sup", &["ntp"]),
            "ntp-auth",
            format!("Controllers and panels of {short} synchronise time"),
        ));
        self.add(mk(
            "diag",
            self.eps("sup", &["ews-1", "ews-2"]),
            at(&cell.drives),
            "https",
            format!("Drive parameterisation and diagnostics on {short}"),
        ));
        self.add(mk(
            "energy",
            self.eps("sup", &["collector"]),
            at(&cell.meters),
            f.meter,
            format!("Energy monitoring of {short}"),
        ));
        self.add(mk(
            "panels",
            at(&cell.panels),
            self.eps("sup", &["scada-1", "scada-2"]),
            "opcua-tls",
            format!("Operator panels of {short} show the line overview from SCADA"),
        ));
        if let Some(n) = next {
            let same = n.family.peer == f.peer && n.secure == cell.secure;
            if same {
                let Some(nz) = self.zones.get(n.zone).map(|z| z.name.clone()) else {
                    return;
                };
                let to = n
                    .plcs
                    .first()
                    .map(|p| vec![format!("{nz}.{p}")])
                    .unwrap_or_default();
                self.add(mk(
                    "interlock",
                    plcs.into_iter().take(1).collect(),
                    to,
                    f.peer,
                    "Line interlock with the downstream cell".to_string(),
                ));
            }
        }
    }

    fn maint_conduit(&mut self, maint: usize, cell: &Cell) {
        let (Some(m), Some(c)) = (self.zones.get(maint), self.zones.get(cell.zone)) else {
            return;
        };
        let laptops: Vec<String> = m
            .assets
            .iter()
            .map(|a| format!("{}.{}", m.name, a.name))
            .collect();
        let plcs: Vec<String> = cell
            .plcs
            .iter()
            .map(|p| format!("{}.{p}", c.name))
            .collect();
        let short = c
            .name
            .trim_start_matches(&format!("{}-", self.prefix))
            .to_string();
        self.add(ConduitSpec {
            name: format!("maint-{short}"),
            from: laptops,
            to: plcs,
            allow: vec![cell.family.eng.to_string()],
            controls: vec!["approval"],
            extra: vec![
                "schedule \"mon-fri 06:00-18:00\"".into(),
                format!("ticket \"MOC-{}\"", self.prefix.to_uppercase()),
            ],
            justification: format!(
                "Commissioning and repair of {short} with checked maintenance laptops"
            ),
            owner: "Plant Engineering".into(),
        });
    }

    fn maint_patch(&mut self, maint: usize) {
        let Some(m) = self.zones.get(maint) else {
            return;
        };
        let laptops: Vec<String> = m
            .assets
            .iter()
            .map(|a| format!("{}.{}", m.name, a.name))
            .collect();
        let to = self.eps("ops", &["patch", "av"]);
        self.add(ConduitSpec {
            name: "maint-patch".into(),
            from: laptops,
            to,
            allow: vec!["wsus".into(), "https".into()],
            justification: "Maintenance laptops are patched and scanned before they touch a cell"
                .into(),
            owner: "Plant Engineering".into(),
            ..ConduitSpec::default()
        });
    }

    fn wifi_conduit(&mut self, wifi: usize) {
        let Some(w) = self.zones.get(wifi) else {
            return;
        };
        let tablets: Vec<String> = w
            .assets
            .iter()
            .map(|a| format!("{}.{}", w.name, a.name))
            .collect();
        let to = self.eps("sup", &["scada-1", "scada-2"]);
        self.add(ConduitSpec {
            name: "wifi-hmi".into(),
            from: tablets,
            to,
            allow: vec!["https".into()],
            justification: "Operator tablets use the SCADA web client on the shop floor".into(),
            owner: "Operations".into(),
            ..ConduitSpec::default()
        });
    }

    /// On some sites one SL-T 2 cell is being commissioned: its HMI conduit
    /// runs in monitor mode under a risk-acceptance waiver.
    fn commissioning(&mut self, params: &Params, cells: &[Cell], rng: &mut Rng) {
        if !rng.chance(15) {
            return;
        }
        let Some(cell) = cells.iter().rev().find(|c| !c.secure) else {
            return;
        };
        let Some(zone) = self.zones.get(cell.zone).map(|z| z.name.clone()) else {
            return;
        };
        let name = format!("{zone}-hmi");
        let Some(c) = self.conduits.iter_mut().find(|c| c.name == name) else {
            return;
        };
        c.extra.push("mode monitor".into());
        c.extra.push("log true".into());
        let days = i64::from(rng.range(60, 180));
        let expires = Date::from_days_since_epoch(params.as_of.days_since_epoch() + days);
        let approved = Date::from_days_since_epoch(params.as_of.days_since_epoch() - 14);
        self.waivers.push(WaiverSpec {
            rule: "BND-003",
            conduit: name,
            lines: vec![
                "kind risk-acceptance".into(),
                format!("approved-by \"Plant manager, {approved}\""),
                "justification \"New line under commissioning: traffic is logged to build the allow-list before enforcement\"".into(),
                format!("expires {expires}"),
                format!("ticket \"RISK-{}\"", self.prefix.to_uppercase()),
            ],
        });
    }

    fn render(&self) -> String {
        let mut t = String::with_capacity(64 * 1024);
        let _ = writeln!(
            t,
            "# Site {}: generated by examples/gen_plant.rs",
            self.prefix
        );
        t.push_str("import \"shared.zc\"\n");
        for z in &self.zones {
            let _ = writeln!(t, "\nzone {} {{", z.name);
            for l in &z.lines {
                let _ = writeln!(t, "    {l}");
            }
            let _ = writeln!(t, "    {}", z.sl.render());
            for a in &z.assets {
                let _ = writeln!(
                    t,
                    "    asset {} {} {{ {} }}",
                    a.name,
                    a.addr,
                    a.attrs.join("; ")
                );
            }
            t.push_str("}\n");
        }
        for c in &self.conduits {
            let _ = writeln!(t, "\nconduit {} {{", c.name);
            let _ = writeln!(t, "    {} -> {}", c.from.join(", "), c.to.join(", "));
            let _ = writeln!(t, "    allow {}", c.allow.join(", "));
            if !c.controls.is_empty() {
                let _ = writeln!(t, "    controls {}", c.controls.join(", "));
            }
            for e in &c.extra {
                let _ = writeln!(t, "    {e}");
            }
            let _ = writeln!(t, "    owner \"{}\"", c.owner);
            let _ = writeln!(t, "    justification \"{}\"", c.justification);
            t.push_str("}\n");
        }
        for w in &self.waivers {
            let _ = writeln!(t, "\nwaive {} on conduit {} {{", w.rule, w.conduit);
            for l in &w.lines {
                let _ = writeln!(t, "    {l}");
            }
            t.push_str("}\n");
        }
        t
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Command line.

struct Args {
    params: Params,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut params = Params::new(10, 1);
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--sites" => {
                params.sites = value()?.parse().map_err(|e| format!("--sites: {e}"))?;
                if params.sites == 0 || params.sites > MAX_SITES {
                    return Err(format!("--sites must be 1 to {MAX_SITES}"));
                }
            }
            "--seed" => params.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--as-of" => {
                let v = value()?;
                params.as_of =
                    Date::parse(&v).ok_or(format!("--as-of: `{v}` is not YYYY-MM-DD"))?;
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    Ok(Args { params, out })
}

const USAGE: &str = "usage: gen_plant --out DIR [--sites N (1-4096, default 10)] [--seed N (default 1)] [--as-of YYYY-MM-DD (default 2026-12-01)]";

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gen_plant: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let plant = generate(&args.params);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("gen_plant: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    for f in &plant.files {
        let path = args.out.join(&f.name);
        if let Err(e) = std::fs::write(&path, &f.text) {
            eprintln!("gen_plant: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let s = plant.stats;
    println!(
        "wrote {} files to {}: {} zones, {} assets, {} conduits, {} waivers, {} bytes",
        plant.files.len(),
        args.out.display(),
        s.zones,
        s.assets,
        s.conduits,
        s.waivers,
        s.bytes
    );
    ExitCode::SUCCESS
}
