//! Human-readable output: bounded in size, safe on a terminal, JUnit
//! well-formed and in agreement with the exit code.

use super::{conduit_bounded, scratch, text, SMALL};

fn run(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = conduit_bounded(dir, args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_long_line_is_quoted_as_a_window_with_an_ellipsis() {
    let dir = scratch("long-line");
    let comment = format!("# {}\n", "x".repeat(1 << 20));
    let long_value = format!("zone b {{ owner \"{}\" purdue 9 }}\n", "y".repeat(1 << 20));
    std::fs::write(
        dir.join("p.zc"),
        format!("{comment}zone a {{ purdue 3; network 10.1.0.0/24; bogus 1 }}\n{long_value}"),
    )
    .unwrap();
    let (code, out, _) = run(&dir, &["check", "p.zc"]);
    assert_eq!(code, Some(1));
    assert!(out.len() < 20_000, "{} bytes of text output", out.len());
    assert!(out.contains("E0105") && out.contains('…'), "{out}");
}

#[test]
fn deep_nesting_stops_early_and_prints_little() {
    let dir = scratch("deep");
    std::fs::write(
        dir.join("p.zc"),
        format!("zone a {}", "{".repeat(1_000_000)),
    )
    .unwrap();
    let (code, out, _) = run(&dir, &["check", "p.zc"]);
    assert_eq!(code, Some(1));
    assert!(out.len() < 100_000, "{} bytes of text output", out.len());
    assert!(out.contains("E0109"), "{}", out.get(..3000).unwrap_or(&out));
}

#[test]
fn text_output_caps_the_diagnostics_it_prints() {
    let dir = scratch("many");
    let mut policy = String::new();
    for i in 0..400 {
        policy.push_str(&format!(
            "zone z{i} {{\n    purdue 3\n    network 10.{}.{}.0/24\n}}\n",
            i / 256,
            i % 256
        ));
    }
    std::fs::write(dir.join("p.zc"), policy).unwrap();
    let (_, out, _) = run(&dir, &["check", "p.zc"]);
    assert!(
        out.contains("not shown") && out.contains("--format json"),
        "{}",
        out.get(out.len().saturating_sub(3000)..).unwrap_or(&out)
    );
    let (_, json, _) = run(&dir, &["check", "p.zc", "--format", "json"]);
    let shown = out.matches("\n  × ").count()
        + out.matches("\n  ⚠ ").count()
        + out.matches("\n  ☞ ").count();
    let all = json.matches("\"code\"").count();
    assert!(shown < all, "text {shown}, json {all}");
}

#[test]
fn control_and_bidi_characters_never_reach_the_terminal() {
    let dir = scratch("controls");
    let name = "evil\n::error file=x.zc::forged\u{1b}[31m\u{202e}.zc";
    std::fs::write(
        dir.join(name),
        "zone a {\n    purdue 3\n    owner \"red \u{1b}[31m\u{202e}txt\"\n    network 10.1.0.0/24\n    bogus \u{1b}]0;title\u{7}\n}\n",
    )
    .unwrap();
    for format in ["text", "github", "junit"] {
        let (_, out, err) = run(&dir, &["check", name, "--format", format]);
        for s in [&out, &err] {
            assert!(!s.contains('\u{1b}'), "{format}: ESC in {s:?}");
            assert!(!s.contains('\u{202e}'), "{format}: bidi in {s:?}");
            assert!(!s.contains('\u{7}'), "{format}: BEL in {s:?}");
            assert!(
                !s.lines().any(|l| l.starts_with("::error file=x.zc")),
                "{format}: forged annotation in {s}"
            );
        }
        assert!(out.contains("E01"), "{format}: {out}");
    }
}

#[test]
fn junit_is_well_formed_and_agrees_with_the_exit_code() {
    let dir = scratch("junit");
    let name = "odd\u{fffe}\u{ffff}\u{1}name.zc";
    std::fs::write(dir.join(name), "zone a {\n    purdue 3\n    bogus 1\n}\n").unwrap();
    let (code, out, _) = run(&dir, &["check", name, "--format", "junit"]);
    assert_eq!(code, Some(1));
    for c in ['\u{fffe}', '\u{ffff}', '\u{1}'] {
        assert!(!out.contains(c), "{c:?} in {out}");
    }
    // Language errors: the rules did not run, so they are skipped, not passed.
    assert!(out.contains("<skipped message=\"rules not run"), "{out}");
    assert!(!out.contains("skipped=\"0\""), "{out}");
    // Warnings only: exit 0, so no failures; with --deny warnings, failures.
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    let (code, out, _) = run(
        &dir,
        &[
            "check",
            "p.zc",
            "--format",
            "junit",
            "--as-of",
            "2026-11-28",
        ],
    );
    let (code_text, text_out, _) = run(&dir, &["check", "p.zc", "--as-of", "2026-11-28"]);
    assert_eq!(code, code_text);
    assert!(text_out.contains("warning(s)"), "{text_out}");
    if code == Some(0) {
        assert!(
            out.contains("failures=\"0\""),
            "exit 0 but JUnit fails:\n{out}"
        );
        let (deny, out, _) = run(
            &dir,
            &[
                "check",
                "p.zc",
                "--format",
                "junit",
                "--as-of",
                "2026-11-28",
                "--deny",
                "warnings",
            ],
        );
        if deny == Some(1) {
            assert!(
                !out.contains("failures=\"0\""),
                "exit 1 but JUnit passes:\n{out}"
            );
        }
    }
}
