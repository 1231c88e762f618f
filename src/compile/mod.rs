//! Firewall backends: the policy model becomes a backend-neutral rule
//! [`plan::Plan`], which one file per backend translates to text.
//!
//! Invariants: backends are pure functions of (plan) → files or
//! diagnostics; they do no I/O, read no clock and never iterate a hash
//! map. A feature a backend cannot express is an error before any text is
//! emitted. Adding a backend is one file plus one row in [`BACKENDS`].

pub mod addr;
pub mod eval;
pub mod explain;
pub mod overlap;
pub mod plan;
pub mod target;
pub mod vendor;

pub mod asa;
pub mod fortigate;
mod iptables;
mod junos;
pub mod nftables;
mod panos;
mod text;

use crate::diagnostics::Diagnostic;
pub use plan::{Plan, PlanOptions};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// What the file is loaded with (`nft -f`, `iptables-restore`, …).
    pub role: &'static str,
    /// Suffix appended to the `-o` path (`""` for the main file).
    pub suffix: &'static str,
    pub text: String,
}

/// A firewall generator.
pub trait Backend: Sync {
    /// The name used by `--backend` and in target profiles.
    fn name(&self) -> &'static str;
    /// Everything in the plan this backend cannot express, as errors.
    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic>;
    /// The files, in a fixed order. Called only when `unsupported` is empty.
    fn emit(&self, plan: &Plan) -> Vec<OutputFile>;
    /// Whether a target profile may bind a zone to interface `name`
    /// (default: a Linux interface name).
    fn valid_interface(&self, name: &str) -> bool {
        target::valid_ifname(name)
    }
    /// What `valid_interface` accepts (`a Linux interface name`).
    fn interface_kind(&self) -> &'static str {
        target::LINUX_IFNAME
    }
    /// The hint for an interface name `valid_interface` refuses.
    fn interface_hint(&self) -> &'static str {
        target::LINUX_IFNAME_HINT
    }
    /// Whether the device has its own clock, set in a target profile's
    /// `clock` (vendor devices); `false`: rules compare with the kernel's
    /// UTC clock, and `clock` may only be UTC.
    fn device_clock(&self) -> bool {
        false
    }
    /// Warnings about output that is correct but needs attention (W0014:
    /// a converted schedule stops being exact soon). Never stops output.
    fn warnings(&self, plan: &Plan) -> Vec<Diagnostic> {
        let _ = plan;
        Vec::new()
    }
}

/// The registry: one row per backend.
pub static BACKENDS: &[&dyn Backend] = &[
    &nftables::Nftables,
    &iptables::Iptables,
    &junos::JunosSrx,
    &panos::Panos,
    &asa::CiscoAsa,
    &fortigate::Fortigate,
];

/// Backends named by the language but not generated yet.
pub const PLANNED: &[&str] = &[];

/// The backend called `name`.
pub fn backend(name: &str) -> Option<&'static dyn Backend> {
    BACKENDS.iter().copied().find(|b| b.name() == name)
}

/// Names of the available backends, for messages.
pub fn backend_names() -> Vec<&'static str> {
    BACKENDS.iter().map(|b| b.name()).collect()
}

/// Plan → files, or the errors that stop generation.
pub fn generate(backend: &dyn Backend, plan: &Plan) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let errors = backend.unsupported(plan);
    if errors.iter().any(Diagnostic::is_error) {
        return Err(errors);
    }
    Ok(backend.emit(plan))
}
