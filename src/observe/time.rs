//! Timestamps of flow logs, as seconds since 1970-01-01 UTC: epoch
//! seconds with a fraction (Zeek), ISO 8601 with `Z` or an offset (Zeek
//! JSON, `journalctl -o short-iso`), and syslog's `Mmm dd HH:MM:SS`, which
//! carries no year (taken from a reference date).

use crate::model::Date;

/// Seconds since the epoch from `1764547200` or `1764547200.123456`
/// (the fraction is dropped; windows and expiry have second resolution).
pub fn parse_epoch(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    // Floor for negative instants with a fraction (before 1970).
    let has_frac = frac.bytes().any(|b| b != b'0');
    Some(if secs < 0 && has_frac { secs - 1 } else { secs })
}

/// Seconds since the epoch from ISO 8601: `YYYY-MM-DDTHH:MM:SS` (or a
/// space for `T`), an optional fraction, then `Z`, `+HH:MM`, `+HHMM`,
/// `+HH` or nothing (UTC).
pub fn parse_iso(s: &str) -> Option<i64> {
    let date = Date::parse(s.get(..10)?)?;
    let rest = s.get(10..)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (h, m, sec) = (
        num(rest.get(..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3) != Some(":") || rest.get(5..6) != Some(":") || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut tail = rest.get(8..)?;
    if let Some(frac) = tail.strip_prefix('.').or_else(|| tail.strip_prefix(',')) {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        tail = frac.get(n..)?;
    }
    let offset = parse_offset(tail)?;
    Some(date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec - offset)
}

fn parse_offset(tail: &str) -> Option<i64> {
    if tail.is_empty() || tail == "Z" || tail == "z" {
        return Some(0);
    }
    let sign = match tail.get(..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let digits: String = tail.get(1..)?.chars().filter(|c| *c != ':').collect();
    if digits.len() != 2 && digits.len() != 4 {
        return None;
    }
    let h = num(digits.get(..2)?)?;
    let m = if digits.len() == 4 {
        num(digits.get(2..)?)?
    } else {
        0
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A syslog timestamp `Mmm dd HH:MM:SS` (day padded with a space or a
/// zero) at the start of `s`: the instant, taken as UTC, in the latest
/// year that puts it no later than one day after `reference`; and the
/// rest of the line.
pub fn parse_syslog(s: &str, reference: Date) -> Option<(i64, &str)> {
    let month = MONTHS.iter().position(|m| s.get(..3) == Some(*m))?;
    let month = u8::try_from(month + 1).ok()?;
    let rest = s.get(3..)?.strip_prefix(' ')?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let (day, rest) = rest.split_once(' ')?;
    let day = u8::try_from(num(day)?).ok()?;
    let clock = rest.get(..8)?;
    let (h, m, sec) = (
        num(clock.get(..2)?)?,
        num(clock.get(3..5)?)?,
        num(clock.get(6..8)?)?,
    );
    if clock.get(2..3) != Some(":") || clock.get(5..6) != Some(":") || h > 23 || m > 59 || sec > 60
    {
        return None;
    }
    let rest = rest.get(8..)?;
    let limit = (reference.days_since_epoch() + 1) * 86_400;
    for year in [reference.year, reference.year.saturating_sub(1)] {
        let Some(date) = Date::parse(&format!("{year:04}-{month:02}-{day:02}")) else {
            continue;
        };
        let t = date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec;
        if t <= limit {
            return Some((t, rest));
        }
    }
    None
}

/// `2026-11-30T06:00:01Z`.
pub fn format_iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let sec = unix.rem_euclid(86_400);
    let date = Date::from_days_since_epoch(days);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        sec / 3600,
        sec % 3600 / 60,
        sec % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formats_agree() {
        let t = parse_iso("2026-11-30T06:00:01Z").unwrap();
        assert_eq!(parse_epoch(&t.to_string()), Some(t));
        assert_eq!(format_iso(t), "2026-11-30T06:00:01Z");
        assert_eq!(parse_iso("2026-11-30T07:00:01.5+01:00"), Some(t));
        assert_eq!(parse_iso("2026-11-30 05:30:01-0030"), Some(t));
        assert_eq!(parse_epoch("1764482401.999"), Some(1_764_482_401));
        let reference = Date::parse("2026-12-01").unwrap();
        assert_eq!(
            parse_syslog("Nov 30 06:00:01 fw kernel: x", reference),
            Some((t, " fw kernel: x"))
        );
        // A December line read in January belongs to the year before.
        let jan = Date::parse("2027-01-02").unwrap();
        assert_eq!(parse_syslog("Nov 30 06:00:01 x", jan).map(|r| r.0), Some(t));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-11-30T25:00:00Z",
            "2026-11-30T06:00:01+99",
            "2026-11-30Tx",
        ] {
            assert_eq!(parse_iso(s), None, "{s}");
        }
        for s in ["", ".5", "12a", "-", "1.2.3"] {
            assert_eq!(parse_epoch(s), None, "{s}");
        }
        let r = Date::parse("2026-12-01").unwrap();
        assert_eq!(parse_syslog("Foo 30 06:00:01", r), None);
        assert_eq!(parse_syslog("Feb 30 06:00:01", r), None);
    }
}
