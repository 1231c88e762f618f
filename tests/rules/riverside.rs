//! The riverside plant of the language brief: its exact findings.
