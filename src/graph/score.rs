//! Difficulty of crossing a conduit: a small integer, documented in
//! `docs/blast-radius.md` and explained in every output.
//!
//! Per edge (initiating zone → responding zone of one conduit):
//!
//! | part     | value                                                                      |
//! |----------|----------------------------------------------------------------------------|
//! | base     | 1 for crossing a zone boundary                                             |
//! | service  | of the easiest service on the conduit: +2 authenticated, +1 encrypted; 0 in monitor mode |
//! | sl       | responder zone SL-T of FR1 (IAC) plus FR5 (RDF), 0..=8                      |
//! | time     | +1 for a `schedule`, +1 for an `expires` date                              |
//! | controls | +2 for `mfa`, +1 for `approval`                                            |
//!
//! A path's difficulty is the sum over its edges. Cleartext unauthenticated
//! industrial protocols into a zone without SL-T cost 1 per crossing, the minimum.

use crate::model::{Conduit, Control, Fr, Mode, Model, ServiceId, Zone};

/// The parts of one edge's difficulty; `total()` is what paths add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EdgeCost {
    pub base: u32,
    pub service: u32,
    pub sl: u32,
    pub time: u32,
    pub controls: u32,
}

impl EdgeCost {
    pub fn total(&self) -> u32 {
        self.base + self.service + self.sl + self.time + self.controls
    }

    /// `1 base + 2 service + 6 SL-T + 2 time + 2 controls`, omitting zeros.
    pub fn explain(&self) -> String {
        let mut parts = vec![format!("{} base", self.base)];
        for (v, what) in [
            (self.service, "service"),
            (self.sl, "SL-T"),
            (self.time, "time-limited"),
            (self.controls, "controls"),
        ] {
            if v > 0 {
                parts.push(format!("{v} {what}"));
            }
        }
        parts.join(" + ")
    }
}

/// What one service adds: +2 authenticated, +1 encrypted.
pub fn service_cost(model: &Model, id: ServiceId) -> u32 {
    let s = model.service(id);
    2 * u32::from(s.authenticated) + u32::from(s.encrypted)
}

/// The cost of crossing `conduit` into `responder` with the easiest of `services`.
pub fn edge_cost(
    model: &Model,
    conduit: &Conduit,
    services: &[ServiceId],
    responder: &Zone,
) -> EdgeCost {
    let service = if conduit.mode == Mode::Monitor {
        0
    } else {
        services
            .iter()
            .map(|&s| service_cost(model, s))
            .min()
            .unwrap_or(0)
    };
    let sl = u32::from(responder.sl_of(Fr::Iac)) + u32::from(responder.sl_of(Fr::Rdf));
    let time = u32::from(conduit.schedule.is_some()) + u32::from(conduit.expires.is_some());
    let controls =
        2 * u32::from(conduit.has(Control::Mfa)) + u32::from(conduit.has(Control::Approval));
    EdgeCost {
        base: 1,
        service,
        sl,
        time,
        controls,
    }
}

/// One-paragraph explanation printed under text output and stored in JSON.
pub const SCORE_EXPLANATION: &str =
    "difficulty = sum over the conduits on the path of: 1 per crossing \
+ easiest service (authenticated +2, encrypted +1; monitor mode 0) \
+ responder SL-T FR1 (IAC) + FR5 (RDF) + time limits (schedule +1, expiry +1) \
+ controls (mfa +2, approval +1); lowest is easiest";
