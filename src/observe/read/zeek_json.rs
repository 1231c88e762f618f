//! Zeek `conn.log` as JSON lines (`LogAscii::use_json`): one object per
//! line with dotted keys (`"id.orig_h"`), or an `id` object holding
//! `orig_h` … (as some pipelines nest them); `ts` in epoch seconds or ISO
//! 8601 (`JSON::TS_ISO8601`); unset fields absent.

use super::{addr, line_of, transport};
use crate::observe::{excerpt, time, Conn, Line};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Default, Deserialize)]
struct Id<'a> {
    #[serde(borrow)]
    orig_h: Option<Cow<'a, str>>,
    orig_p: Option<u64>,
    #[serde(borrow)]
    resp_h: Option<Cow<'a, str>>,
    resp_p: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Record<'a> {
    ts: Option<serde_json::Value>,
    #[serde(rename = "id.orig_h", borrow)]
    orig_h: Option<Cow<'a, str>>,
    #[serde(rename = "id.orig_p")]
    orig_p: Option<u64>,
    #[serde(rename = "id.resp_h", borrow)]
    resp_h: Option<Cow<'a, str>>,
    #[serde(rename = "id.resp_p")]
    resp_p: Option<u64>,
    #[serde(borrow)]
    id: Option<Id<'a>>,
    #[serde(borrow)]
    proto: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ZeekJsonReader;

impl ZeekJsonReader {
    pub fn line(&mut self, text: &str) -> Line {
        if text.trim().is_empty() {
            return Line::Skip;
        }
        line_of(record(text))
    }
}

fn record(text: &str) -> Result<Conn, String> {
    let r: Record<'_> =
        serde_json::from_str(text).map_err(|e| format!("not a Zeek JSON record: {e}"))?;
    let id = r.id.unwrap_or_default();
    let orig_h = r.orig_h.or(id.orig_h).ok_or("no `id.orig_h`")?;
    let resp_h = r.resp_h.or(id.resp_h).ok_or("no `id.resp_h`")?;
    let proto = r.proto.ok_or("no `proto`")?;
    let ts = match r.ts.ok_or("no `ts`")? {
        serde_json::Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.floor() as i64)
            .ok_or_else(|| format!("invalid ts {}", excerpt(&n.to_string())))?,
        serde_json::Value::String(s) => time::parse_iso(&s)
            .or_else(|| time::parse_epoch(&s))
            .ok_or_else(|| format!("invalid ts {}", excerpt(&s)))?,
        other => return Err(format!("invalid ts {}", excerpt(&other.to_string()))),
    };
    let is_icmp = proto.eq_ignore_ascii_case("icmp");
    let port = if is_icmp {
        r.orig_p.or(id.orig_p)
    } else {
        r.resp_p.or(id.resp_p)
    };
    let other = if is_icmp {
        r.resp_p.or(id.resp_p)
    } else {
        r.orig_p.or(id.orig_p)
    };
    let port = port.map(|p| p.to_string());
    Ok(Conn {
        ts,
        src: addr(&orig_h, "originator")?,
        dst: addr(&resp_h, "responder")?,
        l4: transport(&proto, port.as_deref())?,
        sport: other.and_then(|p| u16::try_from(p).ok()),
    })
}
