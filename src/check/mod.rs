//! IEC 62443 rule engine (issue: rule engine). Not yet built.
