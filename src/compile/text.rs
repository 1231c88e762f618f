//! Text helpers shared by the backends: making untrusted policy strings
//! safe inside a firewall configuration, and a few formats.
//!
//! Invariant: [`sanitize`] output contains no control character, no double
//! quote and no backslash, and fits the byte budget, so it can sit inside a
//! double-quoted argument of `nft` or `iptables-restore` (or after `#`)
//! without ending the string, the line or the statement.

/// Makes `raw` safe for a double-quoted comment of at most `max_bytes`.
///
/// Control characters (newlines included) and Unicode line/paragraph
/// separators and bidirectional overrides become spaces, runs of spaces
/// collapse, `"` becomes `'` and `\` becomes `/`. Longer text is cut on a
/// character boundary and ends in `...`.
pub fn sanitize(raw: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_bytes));
    for c in raw.chars() {
        let c = match c {
            '"' => '\'',
            '\\' => '/',
            c if is_unsafe(c) => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_end();
    if trimmed.len() <= max_bytes {
        return trimmed.to_string();
    }
    let budget = max_bytes.saturating_sub(3);
    let mut cut = budget;
    while cut > 0 && !trimmed.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", trimmed.get(..cut).unwrap_or("").trim_end())
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

/// `HH:MM:SS` of a second of the day.
pub fn hms(sec: u32) -> String {
    format!("{:02}:{:02}:{:02}", sec / 3600, (sec / 60) % 60, sec % 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hostile_text_is_defused() {
        let s = sanitize("a\"b\\c\nd\r\te;}#\u{202e}é", 100);
        assert_eq!(s, "a'b/c d e;}# é");
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        let s = sanitize(&"é".repeat(100), 20);
        assert!(s.len() <= 20, "{s}");
        assert!(s.ends_with("..."));
    }
}
