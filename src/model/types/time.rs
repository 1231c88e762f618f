//! Calendar dates, weekly schedules, and IANA time zones (the one module
//! that knows the time zone crate; its database is compiled in).

use std::collections::BTreeSet;
use std::fmt;

/// A calendar date (proleptic Gregorian), compared as `(year, month, day)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day against the month.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let year: u16 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        let day: u8 = d.parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn parse(s: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A weekly time window: `"mon-fri 06:00-18:00"`.
///
/// Times are minutes after midnight, `start < end` (a window never wraps
/// past midnight; write two windows for a night shift). Times are on the
/// wall clock of `zone` (`"mon-fri 06:00-18:00 Europe/Berlin"`), UTC when
/// no zone is written: the window is open while that clock shows a listed
/// day and a time in `[start, end)`. At a DST change this is the clock as
/// it reads: a spring-forward gap is skipped (a window from 02:30 opens at
/// 03:00 that day), a fall-back hour is counted twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Schedule {
    /// Days on which the window is open, Monday first.
    pub days: BTreeSet<Weekday>,
    pub start_minute: u16,
    pub end_minute: u16,
    /// The IANA time zone (canonical spelling, `Europe/Berlin`); `None`: UTC.
    pub zone: Option<String>,
    /// The text as written, for comments and messages.
    pub text: String,
}

impl Schedule {
    pub fn format_minute(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
}

// ---------------------------------------------------------------- time zones

/// The tzdb release compiled into the program.
pub const TZDB_RELEASE: &str = "2026f";

/// A zone name looked up in the compiled-in database: its canonical
/// spelling, or `Err` with the canonical spelling of a name that differs
/// only in case (`None` when there is no such zone).
pub fn zone_lookup(name: &str) -> Result<String, Option<String>> {
    match jiff::tz::db().get(name) {
        Ok(tz) => match tz.iana_name() {
            Some(canon) if canon == name => Ok(canon.to_string()),
            Some(canon) => Err(Some(canon.to_string())),
            None => Err(None),
        },
        Err(_) => Err(None),
    }
}

/// Every zone name of the database, sorted (for suggestions).
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    names.sort();
    names
}

fn tz_of(zone: &str) -> jiff::tz::TimeZone {
    jiff::tz::db().get(zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

fn timestamp(unix: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(unix.clamp(-377_705_116_800, 253_402_207_200))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The zone's offset from UTC (seconds, east positive) at an instant;
/// `None` for the zone means UTC. An unknown zone counts as UTC (names are
/// checked when the policy is read).
pub fn utc_offset(zone: Option<&str>, unix: i64) -> i64 {
    match zone {
        None => 0,
        Some(z) => i64::from(tz_of(z).to_offset(timestamp(unix)).seconds()),
    }
}

/// The first instant after `unix` at which the zone's offset changes.
pub fn next_transition(zone: Option<&str>, unix: i64) -> Option<i64> {
    let tz = tz_of(zone?);
    let now = utc_offset(zone, unix);
    tz.following(timestamp(unix))
        .map(|t| t.timestamp().as_second())
        .take(8)
        .find(|t| utc_offset(zone, *t) != now)
}

/// The zone's offset periods covering `[from, to)`: `(start, end, offset)`,
/// in order, the first starting at `from`, the last ending at `to`.
pub fn offset_periods(zone: Option<&str>, from: i64, to: i64) -> Vec<(i64, i64, i64)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = next_transition(zone, start).map_or(to, |t| t.min(to));
        out.push((start, end, utc_offset(zone, start)));
        if end <= start {
            break;
        }
        start = end;
    }
    out
}

/// The wall clock of the zone at an instant: (days since 1970-01-01,
/// second of the day).
pub fn local_clock(zone: Option<&str>, unix: i64) -> (i64, u32) {
    let local = unix + utc_offset(zone, unix);
    (
        local.div_euclid(86_400),
        u32::try_from(local.rem_euclid(86_400)).unwrap_or(0),
    )
}

/// Weekday of a day counted from 1970-01-01 (a Thursday).
pub fn weekday_of_day(days: i64) -> Weekday {
    Weekday::ALL
        .get(usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or(Weekday::Mon)
}

/// Whether the schedule's window is open at an instant: its zone's wall
/// clock shows a listed day and a time in `[start, end)`.
pub fn open_at(
    days: &BTreeSet<Weekday>,
    start_sec: u32,
    end_sec: u32,
    zone: Option<&str>,
    unix: i64,
) -> bool {
    let (day, sec) = local_clock(zone, unix);
    days.contains(&weekday_of_day(day)) && start_sec <= sec && sec < end_sec
}

/// `+01:00`, `-04:00`, `+05:45` for an offset in seconds.
pub fn format_offset(offset: i64) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
}

/// `2027-03-28 01:00 UTC` for an instant.
pub fn format_instant(unix: i64) -> String {
    let (day, sec) = local_clock(None, unix);
    format!(
        "{} {:02}:{:02} UTC",
        Date::from_days_since_epoch(day),
        sec / 3600,
        (sec / 60) % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn berlin_offsets_and_transitions() {
        let z = Some("Europe/Berlin");
        assert_eq!(utc_offset(z, at("2027-01-15T12:00:00Z")), 3600);
        assert_eq!(utc_offset(z, at("2027-07-15T12:00:00Z")), 7200);
        assert_eq!(
            next_transition(z, at("2027-01-15T12:00:00Z")),
            Some(at("2027-03-28T01:00:00Z"))
        );
        assert_eq!(next_transition(None, 0), None);
        let p = offset_periods(z, at("2027-03-27T00:00:00Z"), at("2027-03-29T00:00:00Z"));
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].2, 3600);
        assert_eq!(
            p[1],
            (at("2027-03-28T01:00:00Z"), at("2027-03-29T00:00:00Z"), 7200)
        );
    }

    #[test]
    fn wall_clock_at_dst_changes() {
        let z = Some("Europe/Berlin");
        let days: BTreeSet<Weekday> = Weekday::ALL.into_iter().collect();
        // 2027-03-28: 02:00 CET jumps to 03:00 CEST; "02:30-03:30" opens at 03:00.
        let (s, e) = (150 * 60, 210 * 60);
        assert!(!open_at(&days, s, e, z, at("2027-03-28T00:59:59Z")));
        assert!(open_at(&days, s, e, z, at("2027-03-28T01:00:00Z")));
        assert!(!open_at(&days, s, e, z, at("2027-03-28T01:30:00Z")));
        // 2027-10-31: 03:00 CEST falls back to 02:00 CET; 02:30 comes twice.
        assert!(open_at(&days, s, e, z, at("2027-10-31T00:30:00Z")));
        assert!(!open_at(&days, s, e, z, at("2027-10-31T01:00:00Z")));
        assert!(open_at(&days, s, e, z, at("2027-10-31T01:30:00Z")));
        assert!(!open_at(&days, s, e, z, at("2027-10-31T02:30:00Z")));
    }

    #[test]
    fn names() {
        assert_eq!(
            zone_lookup("Europe/Berlin"),
            Ok("Europe/Berlin".to_string())
        );
        assert_eq!(
            zone_lookup("europe/berlin"),
            Err(Some("Europe/Berlin".to_string()))
        );
        assert_eq!(zone_lookup("Mars/Olympus"), Err(None));
        assert!(zone_names().iter().any(|n| n == "Pacific/Auckland"));
        assert_eq!(format_offset(-4 * 3600), "-04:00");
        assert_eq!(format_offset(20_700), "+05:45");
    }
}
