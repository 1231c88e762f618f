//! Firewall backends: goldens, syntax checks by the real tools, hostile
//! policy strings, target profiles, end-to-end tests on real packets in
//! network namespaces, and a property test against a reference evaluator.
//!
//! Tests that need root (the tools and namespaces) skip with a message when
//! not root; `CONDUIT_REQUIRE_NETNS=1` turns such a skip into a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "backends/asa.rs"]
mod asa;
#[path = "backends/asa_reader.rs"]
mod asa_reader;
#[path = "backends/cli.rs"]
mod cli;
#[path = "backends/edge.rs"]
mod edge;
#[path = "backends/endpoints.rs"]
mod endpoints;
#[path = "backends/fortigate.rs"]
mod fortigate;
#[path = "backends/fortigate_reader.rs"]
mod fortigate_reader;
#[path = "backends/gate.rs"]
mod gate;
#[path = "../examples/gen_plant.rs"]
#[allow(dead_code)]
mod gen_plant;
#[path = "backends/golden.rs"]
mod golden;
#[path = "backends/groups.rs"]
mod groups;
#[path = "backends/junos_reader.rs"]
mod junos_reader;
#[path = "backends/netns.rs"]
mod netns;
#[path = "backends/netns_icmp.rs"]
mod netns_icmp;
#[path = "backends/nft_reader.rs"]
mod nft_reader;
#[path = "backends/panos_reader.rs"]
mod panos_reader;
#[path = "backends/profile.rs"]
mod profile;
#[path = "backends/prop.rs"]
mod prop;
#[path = "backends/query.rs"]
mod query;
#[path = "backends/support.rs"]
mod support;
#[path = "backends/tools.rs"]
mod tools;
#[path = "backends/tz.rs"]
mod tz;
#[path = "backends/vendor.rs"]
mod vendor;
