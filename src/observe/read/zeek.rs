//! Zeek `conn.log` in its tab-separated form.
//!
//! The header gives the separator (`#separator \x09`), the unset marker
//! (`#unset_field -`), the field names (`#fields ts uid id.orig_h …`) and
//! their types (`#types time string addr … set[string]`); `#close` ends a
//! log, and a new `#separator` may start another (concatenated logs).
//! Only `ts`, `id.orig_h`, `id.resp_h`, `id.resp_p`, `proto` and, for
//! ICMP, `id.orig_p` (the type) are read; fields of other types, sets and
//! tables included, are skipped without being split.

use super::{addr, line_of, transport};
use crate::observe::{excerpt, time, Conn, Line};

const NEEDED: [(&str, &[&str]); 6] = [
    ("ts", &["time"]),
    ("id.orig_h", &["addr"]),
    ("id.orig_p", &["port", "count"]),
    ("id.resp_h", &["addr"]),
    ("id.resp_p", &["port", "count"]),
    ("proto", &["enum", "string"]),
];

#[derive(Debug, Clone)]
pub struct ZeekReader {
    separator: String,
    unset: String,
    /// Column of each [`NEEDED`] field, once `#fields` is read.
    columns: Option<[usize; 6]>,
    names: Vec<String>,
}

impl Default for ZeekReader {
    fn default() -> Self {
        ZeekReader {
            separator: "\t".to_string(),
            unset: "-".to_string(),
            columns: None,
            names: Vec::new(),
        }
    }
}

/// `\x09` → a tab, as Zeek writes its separator.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\x") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let hex = rest.get(i + 2..i + 4).ok_or("truncated \\x escape")?;
        let b = u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape {}", excerpt(hex)))?;
        out.push(char::from(b));
        rest = rest.get(i + 4..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

impl ZeekReader {
    pub fn line(&mut self, text: &str) -> Line {
        if let Some(header) = text.strip_prefix('#') {
            return match self.header(header) {
                Ok(()) => Line::Skip,
                Err(m) => Line::Bad(m),
            };
        }
        if text.trim().is_empty() {
            return Line::Skip;
        }
        line_of(self.record(text))
    }

    fn header(&mut self, h: &str) -> Result<(), String> {
        if let Some(v) = h.strip_prefix("separator ") {
            let sep = unescape(v.trim_end_matches('\r'))?;
            if sep.is_empty() {
                return Err("empty #separator".to_string());
            }
            *self = ZeekReader {
                separator: sep,
                ..ZeekReader::default()
            };
            return Ok(());
        }
        let (key, value) = h.split_once(self.separator.as_str()).unwrap_or((h, ""));
        let values = || value.split(self.separator.as_str()).map(str::to_string);
        match key {
            "unset_field" => self.unset = value.to_string(),
            "fields" => {
                self.names = values().collect();
                let mut cols = [0usize; 6];
                for (slot, (name, _)) in cols.iter_mut().zip(NEEDED) {
                    *slot = self
                        .names
                        .iter()
                        .position(|n| n == name)
                        .ok_or_else(|| format!("#fields has no `{name}` column"))?;
                }
                self.columns = Some(cols);
            }
            "types" => {
                let types: Vec<String> = values().collect();
                for (name, allowed) in NEEDED {
                    let col = self.names.iter().position(|n| n == name);
                    let ty = col.and_then(|c| types.get(c));
                    if let Some(ty) = ty.filter(|t| !allowed.contains(&t.as_str())) {
                        return Err(format!("field `{name}` has type {}", excerpt(ty)));
                    }
                }
            }
            "close" => self.columns = None,
            _ => {}
        }
        Ok(())
    }

    fn record(&self, text: &str) -> Result<Conn, String> {
        let cols = self
            .columns
            .ok_or("a record before the #fields header (or after #close)")?;
        let max = cols.iter().copied().max().unwrap_or(0);
        let mut fields: [&str; 6] = [""; 6];
        let mut found = 0;
        for (i, f) in text
            .split(self.separator.as_str())
            .take(max + 1)
            .enumerate()
        {
            for (slot, &c) in fields.iter_mut().zip(&cols) {
                if c == i {
                    *slot = f;
                    found += 1;
                }
            }
        }
        if found < cols.len() {
            return Err(format!(
                "{} fields, the header declares {}",
                text.split(self.separator.as_str()).count(),
                self.names.len()
            ));
        }
        let [ts, orig_h, orig_p, resp_h, resp_p, proto] = fields;
        for (name, v) in [
            ("ts", ts),
            ("id.orig_h", orig_h),
            ("id.resp_h", resp_h),
            ("proto", proto),
        ] {
            if v == self.unset {
                return Err(format!("`{name}` is unset"));
            }
        }
        let ts = time::parse_epoch(ts).ok_or_else(|| format!("invalid ts {}", excerpt(ts)))?;
        let port = if proto.eq_ignore_ascii_case("icmp") {
            orig_p
        } else {
            resp_p
        };
        let port = (port != self.unset).then_some(port);
        // Zeek logs the ICMP type as `orig_p` and the code as `resp_p`.
        let other = if proto.eq_ignore_ascii_case("icmp") {
            resp_p
        } else {
            orig_p
        };
        Ok(Conn {
            ts,
            src: addr(orig_h, "originator")?,
            dst: addr(resp_h, "responder")?,
            l4: transport(proto, port)?,
            sport: other.parse::<u16>().ok(),
        })
    }
}
