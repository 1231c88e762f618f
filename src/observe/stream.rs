//! Reading a log line by line in constant memory: one reused buffer, each
//! line capped at [`MAX_LINE`] bytes (a longer one is consumed to its end
//! and reported, never held), invalid UTF-8 replaced.

use std::io::BufRead;

/// Longest line kept, in bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// A line as the callback sees it.
pub enum RawLine<'a> {
    Text(&'a str),
    /// Longer than [`MAX_LINE`] bytes; its length.
    TooLong(usize),
}

/// Calls `f(line_number, line)` for every line of `r` (1-based, without
/// `\n` or `\r\n`). Stops at the first read error and returns it.
pub fn each_line<R: BufRead>(mut r: R, mut f: impl FnMut(u64, RawLine<'_>)) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut number = 0u64;
    loop {
        buf.clear();
        let mut total = 0usize;
        let mut ended = false;
        loop {
            let chunk = r.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let (take, newline) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(buf.len());
            buf.extend_from_slice(chunk.get(..take.min(room)).unwrap_or(&[]));
            total += take;
            r.consume(take + usize::from(newline));
            if newline {
                ended = true;
                break;
            }
        }
        if !ended && total == 0 {
            return Ok(());
        }
        number += 1;
        if total > MAX_LINE {
            f(number, RawLine::TooLong(total));
            continue;
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let text = String::from_utf8_lossy(&buf);
        f(number, RawLine::Text(&text));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        each_line(input, |n, l| {
            out.push(match l {
                RawLine::Text(t) => format!("{n}:{t}"),
                RawLine::TooLong(len) => format!("{n}:long {len}"),
            })
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_caps_and_replaces() {
        assert_eq!(lines(b"a\r\nb\n\nc"), ["1:a", "2:b", "3:", "4:c"]);
        assert_eq!(lines(b""), Vec::<String>::new());
        assert_eq!(lines(b"\xff\n"), ["1:\u{fffd}"]);
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\nok\n");
        assert_eq!(
            lines(&long),
            [format!("1:long {}", MAX_LINE + 10), "2:ok".to_string()]
        );
    }
}
