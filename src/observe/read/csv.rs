//! A simple CSV of connections: `ts,src,dst,proto,port`, with or without
//! that header line (a header may order the five columns differently and
//! add others, which are ignored). `ts` is epoch seconds or ISO 8601;
//! `proto` is `tcp`, `udp`, `icmp` or an IP protocol number; `port` is
//! the destination port, the ICMP type, or empty. A header may add a
//! `sport` column: the source port (TCP/UDP) or the ICMP code, or empty.
//! Fields are not quoted.

use super::{addr, line_of, transport};
use crate::observe::{excerpt, time, Conn, Line};

const COLUMNS: [&str; 5] = ["ts", "src", "dst", "proto", "port"];

#[derive(Debug, Clone)]
pub struct CsvReader {
    columns: [usize; 5],
    /// The optional `sport` column of a header.
    sport: Option<usize>,
    started: bool,
}

impl Default for CsvReader {
    fn default() -> Self {
        CsvReader {
            columns: [0, 1, 2, 3, 4],
            sport: None,
            started: false,
        }
    }
}

impl CsvReader {
    pub fn line(&mut self, text: &str) -> Line {
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() || text.starts_with('#') {
            return Line::Skip;
        }
        if !self.started {
            self.started = true;
            let names: Vec<&str> = text.split(',').map(str::trim).collect();
            if names.contains(&"ts") {
                return match self.header(&names) {
                    Ok(()) => Line::Skip,
                    Err(m) => Line::Bad(m),
                };
            }
        }
        line_of(self.record(text))
    }

    fn header(&mut self, names: &[&str]) -> Result<(), String> {
        for (slot, want) in self.columns.iter_mut().zip(COLUMNS) {
            *slot = names
                .iter()
                .position(|n| *n == want)
                .ok_or_else(|| format!("the header has no `{want}` column"))?;
        }
        self.sport = names.iter().position(|n| *n == "sport");
        Ok(())
    }

    fn record(&self, text: &str) -> Result<Conn, String> {
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        let get = |i: usize| -> Result<&str, String> {
            let col = self.columns.get(i).copied().unwrap_or(0);
            fields.get(col).copied().ok_or_else(|| {
                format!(
                    "{} fields, expected at least {}",
                    fields.len(),
                    self.columns.iter().max().map_or(5, |m| m + 1)
                )
            })
        };
        let ts = get(0)?;
        let ts = time::parse_epoch(ts)
            .or_else(|| time::parse_iso(ts))
            .ok_or_else(|| format!("invalid ts {}", excerpt(ts)))?;
        let port = get(4)?;
        let sport = match self.sport.and_then(|c| fields.get(c)).copied() {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<u16>()
                    .map_err(|_| format!("invalid sport {}", excerpt(s)))?,
            ),
        };
        Ok(Conn {
            ts,
            src: addr(get(1)?, "source")?,
            dst: addr(get(2)?, "destination")?,
            l4: transport(get(3)?, (!port.is_empty()).then_some(port))?,
            sport,
        })
    }
}
