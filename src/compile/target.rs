//! Target profiles: where a policy is enforced (YAML under `targets/`).
//!
//! ```yaml
//! name: riverside-core-fw
//! backend: nftables
//! interfaces: { enterprise: eth0, line1: eth4.101 }
//! mode: enforce          # enforce | monitor
//! log-denied: true
//! clock: Europe/Berlin   # vendor devices: the zone the device clock runs in (default UTC)
//! ```
//!
//! A profile is validated against the policy like the policy itself:
//! every problem is a diagnostic with a span into the YAML file (E0501
//! unknown zone, E0502 unknown backend, E0503 zones an interface cannot
//! tell apart, E0504 anything else, E0535 a `clock` that is no time zone,
//! E0536 a `clock` other than UTC for a backend that compares with the
//! kernel's UTC clock).

use super::{backend, backend_names, Backend, PLANNED};
use crate::diagnostics::Diagnostic;
use crate::model::{Mode, Model, ZoneId};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{self, Located};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A validated profile.
pub struct Target {
    pub name: String,
    pub backend: &'static dyn Backend,
    /// Interface per zone; only these zones' conduits are enforced.
    pub interfaces: BTreeMap<ZoneId, String>,
    pub mode: Mode,
    pub log_denied: bool,
    /// The device clock's IANA time zone; `None`: UTC (the default).
    pub clock: Option<String>,
    pub file: FileId,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProfile {
    name: Located<String>,
    backend: Located<String>,
    #[serde(default)]
    interfaces: Option<Located<BTreeMap<Located<String>, Located<String>>>>,
    #[serde(default)]
    mode: Option<Located<String>>,
    #[serde(default)]
    log_denied: Option<bool>,
    #[serde(default)]
    clock: Option<Located<String>>,
    /// Free text for the people who run the firewall; not used.
    #[serde(default, rename = "description")]
    _description: Option<String>,
}

/// Registers the profile text in `sources` and validates it against `model`.
/// `Some` only when there is no error.
pub fn load(
    sources: &mut SourceMap,
    name: &str,
    path: Option<PathBuf>,
    text: String,
    model: &Model,
) -> (Option<Target>, Vec<Diagnostic>) {
    let raw = yaml::from_str::<RawProfile>(&text);
    let file = sources.add(name, path, text);
    let raw = match raw {
        Ok(raw) => raw,
        Err(e) => {
            let start = e.offset.unwrap_or(0);
            let span = Span::new(file, start, start + e.len);
            let d = Diagnostic::error("E0504", format!("target profile is invalid: {}", e.message))
                .at(span, "here")
                .with_help("keys: name, backend, interfaces, mode, log-denied, clock, description");
            return (None, vec![d]);
        }
    };
    let mut diags = Vec::new();
    let at = |l: &dyn HasRange| Span::new(file, l.range().0, l.range().1);
    let backend = check_backend(&raw.backend, at(&raw.backend), &mut diags);
    let mode = match raw.mode.as_ref().map(|m| (m.value.as_str(), m)) {
        None | Some(("enforce", _)) => Mode::Enforce,
        Some(("monitor", _)) => Mode::Monitor,
        Some((other, m)) => {
            diags.push(
                Diagnostic::error("E0504", format!("unknown mode `{other}`"))
                    .at(at(m), "not a mode")
                    .with_help("mode is `enforce` or `monitor`"),
            );
            Mode::Enforce
        }
    };
    let interfaces = check_interfaces(raw.interfaces.as_ref(), model, file, backend, &mut diags);
    let clock = raw
        .clock
        .as_ref()
        .and_then(|c| check_clock(c, at(c), backend, &mut diags));
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let Some(backend) = backend else {
        return (None, diags);
    };
    let target = Target {
        name: raw.name.value,
        backend,
        interfaces,
        mode,
        log_denied: raw.log_denied.unwrap_or(true),
        clock,
        file,
    };
    (Some(target), diags)
}

trait HasRange {
    fn range(&self) -> (usize, usize);
}
impl<T> HasRange for Located<T> {
    fn range(&self) -> (usize, usize) {
        (self.start, self.end)
    }
}

fn check_backend(
    name: &Located<String>,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'static dyn Backend> {
    if let Some(b) = backend(&name.value) {
        return Some(b);
    }
    let available = backend_names().join(", ");
    let message = if PLANNED.contains(&name.value.as_str()) {
        format!("backend `{}` is not available yet", name.value)
    } else {
        format!("unknown backend `{}`", name.value)
    };
    diags.push(
        Diagnostic::error("E0502", message)
            .at(span, "this backend")
            .with_help(format!("available backends: {available}")),
    );
    None
}

/// The `clock` zone (`None` for UTC): an IANA name the compiled-in
/// database knows (E0535), and UTC for a backend without a device clock
/// (E0536).
fn check_clock(
    clock: &Located<String>,
    span: Span,
    backend: Option<&'static dyn Backend>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let zone = match crate::model::zone_lookup(&clock.value) {
        Ok(z) => z,
        Err(canon) => {
            let shown = super::text::sanitize(&clock.value, 80);
            let help = match canon {
                Some(c) => format!("write `{c}`"),
                None => format!(
                    "write an IANA time zone name (tzdb {}), e.g. `Europe/Berlin`, or `UTC`",
                    crate::model::TZDB_RELEASE
                ),
            };
            diags.push(
                Diagnostic::error("E0535", format!("`{shown}` is not a time zone"))
                    .at(span, "not in the time zone database")
                    .with_help(help),
            );
            return None;
        }
    };
    if zone == "UTC" {
        return None;
    }
    if let Some(b) = backend.filter(|b| !b.device_clock()) {
        diags.push(
            Diagnostic::error(
                "E0536",
                format!(
                    "{} compares schedules with the kernel's UTC clock: `clock` must be UTC",
                    b.name()
                ),
            )
            .at(span, "not UTC")
            .with_help("remove `clock` (schedules in a time zone are converted to UTC), or write `clock: UTC`"),
        );
        return None;
    }
    Some(zone)
}

fn check_interfaces(
    raw: Option<&Located<BTreeMap<Located<String>, Located<String>>>>,
    model: &Model,
    file: FileId,
    backend: Option<&'static dyn Backend>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<ZoneId, String> {
    let mut out = BTreeMap::new();
    let Some(raw) = raw.filter(|m| !m.value.is_empty()) else {
        let span = raw.map_or(Span::new(file, 0, 0), |m| Span::new(file, m.start, m.end));
        diags.push(
            Diagnostic::error("E0504", "target profile lists no interfaces")
                .at(span, "expected `interfaces:` mapping zones to interfaces")
                .with_help("add `interfaces:` with one `ZONE: INTERFACE` line per zone behind this firewall"),
        );
        return out;
    };
    // interface → zones on it, to find zones an interface cannot tell apart.
    let mut by_iface: BTreeMap<&str, Vec<(ZoneId, Span)>> = BTreeMap::new();
    for (zone, iface) in &raw.value {
        let zspan = Span::new(file, zone.start, zone.end);
        let ispan = Span::new(file, iface.start, iface.end);
        let Some(zid) = model.zone_by_name(&zone.value) else {
            diags.push(
                Diagnostic::error("E0501", format!("unknown zone `{}`", zone.value))
                    .at(zspan, "no zone of this name in the policy"),
            );
            continue;
        };
        let (valid, what, hint) = match backend {
            Some(b) => (
                b.valid_interface(&iface.value),
                b.interface_kind(),
                b.interface_hint(),
            ),
            None => (valid_ifname(&iface.value), LINUX_IFNAME, LINUX_IFNAME_HINT),
        };
        if !valid {
            diags.push(
                Diagnostic::error(
                    "E0504",
                    format!(
                        "invalid interface name `{}`",
                        super::text::sanitize(&iface.value, 80)
                    ),
                )
                .at(ispan, format!("not {what}"))
                .with_help(hint),
            );
            continue;
        }
        out.insert(zid, iface.value.clone());
        by_iface
            .entry(iface.value.as_str())
            .or_default()
            .push((zid, zspan));
    }
    for (iface, zones) in &by_iface {
        shared_interface(model, iface, zones, diags);
    }
    out
}

/// Zones sharing an interface must be told apart by address: each needs
/// at least one network.
fn shared_interface(
    model: &Model,
    iface: &str,
    zones: &[(ZoneId, Span)],
    diags: &mut Vec<Diagnostic>,
) {
    if zones.len() < 2 {
        return;
    }
    for (zid, span) in zones {
        if model.zone(*zid).networks.is_empty() {
            let mut d = Diagnostic::error(
                "E0503",
                format!(
                    "zone `{}` shares interface `{iface}` but has no network to tell it apart",
                    model.zone(*zid).name
                ),
            )
            .at(*span, "zone without networks");
            for (other, ospan) in zones.iter().filter(|(o, _)| o != zid) {
                d = d.with_label(
                    *ospan,
                    format!("`{}` is on `{iface}` too", model.zone(*other).name),
                );
            }
            diags
                .push(d.with_help("give the zone a `network`, or put it behind its own interface"));
        }
    }
}

/// What [`valid_ifname`] accepts, for messages.
pub const LINUX_IFNAME: &str = "a Linux interface name";
pub const LINUX_IFNAME_HINT: &str = "1 to 15 characters of letters, digits, `.`, `-`, `_` or `@`";

/// A Linux interface name (at most 15 bytes, no wildcard, nothing that
/// needs quoting).
pub fn valid_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
}
