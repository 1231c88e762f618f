//! Project configuration (`conduit.yaml` next to the policy): tunes the
//! rule pack for one project.
//!
//! ```yaml
//! disable: [BND-008]          # rules that do not run
//! severity:                   # fixed severity, replacing default and escalation
//!   BND-007: info
//! thresholds:                 # override the pack's thresholds
//!   max-port-range: 32
//!   min-hops: 3
//!   expiry-warning-days: 30   # warn (W0005) this long before a conduit expires
//!   max-remote-window-days: 30
//! ```
//!
//! Unknown keys, unknown rule IDs and bad values are errors (E0601) with
//! the position in the file.

use super::registry::{Pack, SeverityName, Thresholds};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{FileId, Span};
use crate::yaml::Located;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Tuning of the rule pack for one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    disabled: BTreeSet<String>,
    severity: BTreeMap<String, Severity>,
    max_port_range: Option<u32>,
    min_hops: Option<u32>,
    expiry_warning_days: Option<u32>,
    max_remote_window_days: Option<u32>,
}

/// A problem in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    /// Byte range of the offending node, when known.
    pub offset: Option<usize>,
    pub len: usize,
}

impl ConfigError {
    /// An E0601 diagnostic pointing into `file` (whose text is `text`).
    pub fn to_diagnostic(&self, file: FileId, text: &str) -> Diagnostic {
        let d = Diagnostic::error("E0601", format!("conduit.yaml: {}", self.message))
            .with_help("see `conduit explain E0601` and docs/rules/README.md for the keys");
        match self.offset.filter(|o| *o <= text.len()) {
            Some(start) => {
                let end = (start + self.len).min(text.len());
                d.at(Span::new(file, start, end), "here")
            }
            None => d,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    disable: Vec<Located<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Located<SeverityName>>,
    #[serde(default)]
    thresholds: Option<ThresholdsFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ThresholdsFile {
    #[serde(default)]
    max_port_range: Option<u32>,
    #[serde(default)]
    min_hops: Option<u32>,
    #[serde(default)]
    expiry_warning_days: Option<u32>,
    max_remote_window_days: Option<u32>,
}

impl RuleConfig {
    /// Parses a configuration file and checks its rule IDs against `pack`.
    pub fn parse(text: &str, pack: &Pack) -> Result<RuleConfig, Vec<ConfigError>> {
        let file: ConfigFile = crate::yaml::from_str(text).map_err(|e| {
            vec![ConfigError {
                message: e.message,
                offset: e.offset,
                len: e.len,
            }]
        })?;
        let mut errors = Vec::new();
        let mut config = RuleConfig::default();
        for id in &file.disable {
            match pack.rule(&id.value) {
                Some(_) => {
                    config.disabled.insert(id.value.clone());
                }
                None => errors.push(unknown_rule(&id.value, id)),
            }
        }
        for (id, sev) in &file.severity {
            match pack.rule(id) {
                Some(_) => {
                    config.severity.insert(id.clone(), sev.value.severity());
                }
                None => errors.push(unknown_rule(id, sev)),
            }
        }
        if let Some(t) = file.thresholds {
            config.max_port_range = t.max_port_range;
            config.min_hops = t.min_hops;
            config.expiry_warning_days = t.expiry_warning_days;
            config.max_remote_window_days = t.max_remote_window_days;
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Disables one rule (used by tests and embedding tools).
    pub fn disable(&mut self, id: &str) {
        self.disabled.insert(id.to_string());
    }

    pub fn enabled(&self, id: &str) -> bool {
        !self.disabled.contains(id)
    }

    pub fn severity_override(&self, id: &str) -> Option<Severity> {
        self.severity.get(id).copied()
    }

    /// Days before an expiry from which `check` warns (W0005).
    pub fn expiry_warning_days(&self) -> u32 {
        self.expiry_warning_days
            .unwrap_or(crate::compile::overlap::EXPIRY_WARNING_DAYS)
    }

    /// The pack's thresholds with this configuration's overrides.
    pub fn thresholds(&self, pack: &Pack) -> Thresholds {
        Thresholds {
            max_port_range: self
                .max_port_range
                .unwrap_or(pack.thresholds.max_port_range),
            min_hops: self.min_hops.unwrap_or(pack.thresholds.min_hops),
            max_remote_window_days: self
                .max_remote_window_days
                .unwrap_or(pack.thresholds.max_remote_window_days),
        }
    }
}

fn unknown_rule<T>(id: &str, at: &Located<T>) -> ConfigError {
    ConfigError {
        message: format!("unknown rule `{id}`"),
        offset: Some(at.start),
        len: at.end.saturating_sub(at.start).max(1),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::check::registry::pack;

    #[test]
    fn parses_overrides() {
        let text =
            "disable: [BND-008]\nseverity:\n  BND-007: info\nthresholds:\n  max-port-range: 32\n";
        let c = RuleConfig::parse(text, pack().unwrap()).unwrap();
        assert!(!c.enabled("BND-008"));
        assert_eq!(c.severity_override("BND-007"), Some(Severity::Info));
        assert_eq!(c.thresholds(pack().unwrap()).max_port_range, 32);
        assert_eq!(c.thresholds(pack().unwrap()).min_hops, 3);
    }

    fn text_at(offset: Option<usize>) -> &'static str {
        let t = "severity:\n  PRO-001: fatal\n";
        &t[offset.unwrap()..offset.unwrap() + 5]
    }

    #[test]
    fn unknown_rule_and_key_are_errors_with_positions() {
        let text = "disable:\n  - BND-008\n  - XYZ-123\n";
        let e = RuleConfig::parse(text, pack().unwrap()).unwrap_err();
        assert_eq!(e.len(), 1);
        let d = e[0].to_diagnostic(FileId(0), text);
        let span = d.primary.unwrap().span;
        assert_eq!(&text[span.start as usize..span.end as usize], "XYZ-123");

        let e = RuleConfig::parse("severity:\n  PRO-001: fatal\n", pack().unwrap()).unwrap_err();
        assert_eq!(text_at(e[0].offset), "fatal", "{e:?}");
        let e = RuleConfig::parse("disabled: []\n", pack().unwrap()).unwrap_err();
        assert!(e[0].message.contains("disabled"), "{e:?}");
    }
}
