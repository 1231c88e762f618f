//! Zone graph and blast radius (issue: blast radius). Not yet built.
