//! `conduit report` as a person reads it: the HTML is rendered in headless
//! Chromium to a PNG (not blank) and to a DOM (the three answers are
//! there), with a network log and a resolver trap showing that nothing is
//! fetched; hostile policy strings stay text in HTML and Markdown; the
//! Markdown and the zone map are goldens.
//!
//! Chromium is found at `CONDUIT_CHROMIUM` (default `/usr/bin/chromium`,
//! Debian's `chromium` package). Without it the browser tests print a
//! visible skip, and fail when `CONDUIT_REQUIRE_NETNS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const PLANT: &str = "examples/riverside/plant.zc";
const AS_OF: &str = "--as-of=2026-12-01";

fn conduit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/blast/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden {}: run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert_eq!(
        expected, actual,
        "golden {name} differs (UPDATE_GOLDEN=1 rewrites it)"
    );
}

/// A fresh directory for one test.
fn temp_dir(test: &str) -> crate::scratch::Scratch {
    crate::scratch::dir(&format!("conduit-report-{test}-"))
}

fn report(args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let (code, out, err) = conduit(&all);
    assert_eq!(code, 0, "{err}");
    out
}

/// The Chromium binary, or `None` after a visible skip (a failure under
/// `CONDUIT_REQUIRE_NETNS=1`).
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("CONDUIT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        return Some(path);
    }
    let msg = format!(
        "SKIPPED {test}: no Chromium at {} (apt-get install chromium, or set CONDUIT_CHROMIUM)",
        path.display()
    );
    if std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() == Ok("1") {
        panic!("{msg}, and CONDUIT_REQUIRE_NETNS=1");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

/// Runs headless Chromium on `page` with a fresh profile, every host name
/// resolving to nothing and a network log; returns standard output and
/// the log.
fn chromium(bin: &Path, dir: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let profile = dir.join(format!("profile-{}", extra.len()));
    let netlog = dir.join(format!("net-{}.json", extra.len()));
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(&netlog).unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// URLs the page itself asked for, from Chromium's network log. The
/// browser's own background requests carry the initiator "not an origin";
/// a `file://` page's requests carry "null" or the page's origin.
fn page_fetches(netlog: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(netlog).unwrap();
    let start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .unwrap();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .filter(|u| !u.starts_with("file:") && !u.starts_with("data:"))
        .collect()
}

/// Share of pixels that are not near-white, and the number of distinct
/// colours, of a PNG.
fn ink(png_path: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut inked = 0usize;
    let mut colours = std::collections::BTreeSet::new();
    let mut n = 0usize;
    for px in pixels.chunks(channels) {
        n += 1;
        let rgb = (px[0], px[1], px[2]);
        if rgb.0 < 235 || rgb.1 < 235 || rgb.2 < 235 {
            inked += 1;
        }
        if colours.len() < 10_000 {
            colours.insert(rgb);
        }
    }
    (inked as f64 / n.max(1) as f64, colours.len())
}

/// The markup of an HTML document: its tags and its style sheets, without
/// the text (escaped text holds no `<`, so it cannot open a tag).
fn markup(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        in_tag |= c == '<';
        if in_tag {
            out.push(c);
        }
        if c == '>' {
            in_tag = false;
            out.push(' ');
        }
    }
    let mut rest = html;
    while let Some(i) = rest.find("<style>") {
        let css = &rest[i + 7..];
        let end = css.find("</style>").unwrap_or(css.len());
        out.push_str(&css[..end]);
        rest = &css[end..];
    }
    out
}

/// Every place an HTML document could load something from: `src=`,
/// `href=`, `url(`, `@import`, and elements that fetch by nature.
fn fetch_points(html: &str) -> Vec<String> {
    let lower = markup(html).to_ascii_lowercase();
    let mut found = Vec::new();
    for pat in [
        "src=", "href=", "srcset=", "@import", "<link", "<script", "<iframe", "<object", "<embed",
        "<img",
    ] {
        if lower.contains(pat) {
            found.push(pat.to_string());
        }
    }
    for (i, _) in lower.match_indices("url(") {
        let rest = &lower[i + 4..];
        let target = rest.trim_start_matches(['"', '\'', ' ']);
        if !target.starts_with('#') {
            found.push(format!("url({}", &rest[..rest.len().min(30)]));
        }
    }
    for scheme in ["http:", "https:", "ftp:", "=\"//", "='//"] {
        if lower.contains(scheme) {
            found.push(scheme.to_string());
        }
    }
    found
}

#[test]
fn report_html_needs_nothing_from_the_network() {
    let html = report(&[PLANT, AS_OF]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(fetch_points(&html), Vec::<String>::new());
    // The detector itself finds what it is meant to find.
    assert_eq!(
        fetch_points("<img src=\"http://x/y.png\"><p style=\"background:url(a.png)\">"),
        vec!["src=", "<img", "url(a.png)\"> ", "http:"]
    );
    assert_eq!(html, report(&[PLANT, AS_OF]), "same policy, same bytes");
}

#[test]
fn report_renders_in_chromium_with_the_three_answers() {
    let Some(bin) = chromium_or_skip("report_renders_in_chromium_with_the_three_answers") else {
        return;
    };
    let dir = temp_dir("render");
    let page = dir.join("report.html");
    let (code, _, err) = conduit(&["report", PLANT, AS_OF, "-o", page.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let shot = dir.join("report.png");
    let (_, log) = chromium(
        &bin,
        &dir,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1400",
        ],
    );
    assert_eq!(page_fetches(&log), Vec::<String>::new());
    let (share, colours) = ink(&shot);
    assert!(
        share > 0.03 && colours > 50,
        "blank screenshot: {share:.3} inked, {colours} colours"
    );
    let (dom, log) = chromium(&bin, &dir, &page, &["--dump-dom"]);
    assert_eq!(page_fetches(&log), Vec::<String>::new());
    for text in [
        "Is the plant segmented?",
        "every path from the IT and external zones into the 3 reachable OT zones passes through a DMZ zone",
        "No safety zone is reachable from the IT and external zones.",
        "60.0% of OT asset weight is reachable",
        "Is the plant monitored?",
        "still to be enforced: time-sync.",
        "Is incident response tested?",
        "line1: Line 1 shift lead, supervisory: Plant manager on duty",
        "cannot show that incident response has been tested",
        "Zone line1",
        "UNPATCHABLE",
        "J. Meyer, plant manager, 2026-11-20",
        "{3 3 3 2 3 2 3}",
    ] {
        assert!(dom.contains(text), "DOM lacks {text:?}");
    }
    // The map labels every conduit.
    let (_, svg, _) = conduit(&["graph", PLANT, AS_OF]);
    for name in [
        "business-reports",
        "engineering",
        "historian-mirror",
        "hmi-control",
        "time-sync",
        "vendor-support",
        "vendor-to-plc",
    ] {
        assert!(svg.contains(&format!(">{name}: ")), "no label for {name}");
        assert!(
            dom.contains(&format!(">{name}: ")),
            "no label for {name} in the report map"
        );
    }
}

#[test]
fn the_network_check_catches_a_page_that_fetches() {
    let Some(bin) = chromium_or_skip("the_network_check_catches_a_page_that_fetches") else {
        return;
    };
    let dir = temp_dir("canary");
    let page = dir.join("canary.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><img src=\"http://canary.invalid/x.png\"><p>canary</p>",
    )
    .unwrap();
    let (_, log) = chromium(&bin, &dir, &page, &["--dump-dom"]);
    assert_eq!(page_fetches(&log), vec!["http://canary.invalid/x.png"]);
    let _ = std::fs::remove_dir_all(&dir);
}

const HOSTILE: &str = r#"
zone corp {
    purdue 4
    sl 1
    owner "<script>alert(1)</script> & \"Corp\" | `rm` **bold** [x](http://evil.example)"
    description "line one\n# not a heading\n| a | b |"
    site "Plant \u{202E}txt.exe"
    network 10.1.0.0/16
}

zone cell {
    purdue 2
    sl 2
    owner "O'Brien <ops@example.com>"
    shutdown-authority "]]> */ <!-- --> <img src=x onerror=alert(2)>"
    network 10.2.0.0/16
    asset plc 10.2.0.10 {
        role plc
        vendor "ACME | \"S7\" <b>"
        patchable false
        description "`code` & $math$"
    }
}

conduit ops {
    corp -> cell.plc
    allow s7comm
    justification "needed\n- list item <style>body{display:none}</style>"
    owner "a|b"
    ticket "T-1 ``` fence"
    vendor "V & <Co>"
    expires 2026-12-10
}

waive BND-002 on conduit ops {
    kind compensating
    approved-by "<b>boss</b> | 2026-11-01"
    justification "x \u{2066}hidden\u{2069}"
    compensating "IDS & <logging>"
    expires 2026-12-05
}
"#;

fn hostile_policy(dir: &Path) -> PathBuf {
    // The bidi characters go into the file as themselves.
    let text = HOSTILE
        .replace("\\u{202E}", "\u{202E}")
        .replace("\\u{2066}", "\u{2066}")
        .replace("\\u{2069}", "\u{2069}");
    let path = dir.join("hostile.zc");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn hostile_strings_stay_text_in_html_and_markdown() {
    let dir = temp_dir("hostile");
    let policy = hostile_policy(&dir);
    let p = policy.to_str().unwrap();
    let html = report(&[p, AS_OF]);
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script",
        "<img",
        "<b>",
        "<style>body",
        "<!--",
        "\u{202E}",
        "\u{2066}",
    ] {
        assert!(!lower.contains(bad), "HTML holds {bad:?}");
    }
    for good in [
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Corp&quot;",
        "[U+202E]",
        "O&#39;Brien &lt;ops@example.com&gt;",
        "]]&gt; */ &lt;!-- --&gt; &lt;img src=x onerror=alert(2)&gt;",
    ] {
        assert!(html.contains(good), "HTML lacks {good:?}");
    }
    assert_eq!(fetch_points(&html), Vec::<String>::new());
    // Expired and expiring come first: both items are within 90 days.
    let expiring = html.find("id=\"expiring\"").unwrap();
    assert!(
        html[expiring..].find("expires in 4 days").unwrap()
            < html[expiring..].find("expires in 9 days").unwrap()
    );

    let md = report(&[p, AS_OF, "--format", "markdown"]);
    for bad in [
        "<script",
        "<img",
        "<b>",
        "<style>",
        "\u{202E}",
        "\n# not",
        "\n- list item",
        "[x](http",
    ] {
        assert!(!md.contains(bad), "Markdown holds {bad:?}");
    }
    assert_eq!(md.lines().filter(|l| l.starts_with("# ")).count(), 1);
    // Every table row has as many unescaped cell separators as its header.
    let mut header = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let bars = line
            .char_indices()
            .filter(|&(i, c)| c == '|' && (i == 0 || line.as_bytes()[i - 1] != b'\\'))
            .count();
        match header {
            None => header = Some(bars),
            Some(h) => assert_eq!(bars, h, "broken table row: {line}"),
        }
    }

    if let Some(bin) = chromium_or_skip("hostile_strings_stay_text_in_html_and_markdown") {
        let page = dir.join("hostile.html");
        std::fs::write(&page, &html).unwrap();
        let (dom, log) = chromium(&bin, &dir, &page, &["--dump-dom"]);
        assert_eq!(page_fetches(&log), Vec::<String>::new());
        assert!(
            !dom.to_ascii_lowercase().contains("<script"),
            "a script element was created"
        );
        assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_markdown_and_map_goldens() {
    golden(
        "riverside-report.md",
        &report(&[PLANT, AS_OF, "--format", "markdown"]),
    );
    let (code, svg, err) = conduit(&["graph", PLANT, AS_OF, "--blast"]);
    assert_eq!(code, 0, "{err}");
    golden("riverside-blast.svg", &svg);
}

#[test]
fn report_exit_codes() {
    let dir = temp_dir("exit");
    let broken = dir.join("broken.zc");
    std::fs::write(
        &broken,
        "zone a { network 10.0.0.0/8 }\nconduit c { a -> nowhere allow https }\n",
    )
    .unwrap();
    let (code, out, _) = conduit(&["report", broken.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, _, err) = conduit(&["report", PLANT, "-o", "/nonexistent-dir/r.html"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = conduit(&["report", PLANT, "--format", "pdf"]);
    assert_eq!(code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reachable_safety_zone_raises_the_alarm_in_summary_and_map() {
    let html = report(&["tests/blast/plant30.zc", AS_OF]);
    assert!(html.contains("<span class=\"badge alarm\">SAFETY ALARM</span> Safety zone reachable: boiler-sis, brewing-sis."));
    assert!(html.contains("Is the plant segmented? <span class=\"badge alarm\">No</span>"));
    assert!(html.contains("SAFETY ALARM: safety zone boiler-sis, brewing-sis reachable</text>"));
    let (code, svg, _) = conduit(&["graph", "tests/blast/plant30.zc", AS_OF, "--blast"]);
    assert_eq!(code, 0);
    assert!(svg.contains("SAFETY ALARM"));
    let (_, plain, _) = conduit(&["graph", "tests/blast/plant30.zc", AS_OF]);
    assert!(
        !plain.contains("SAFETY ALARM"),
        "no alarm without the overlay"
    );
}

#[test]
fn expired_items_lead_and_are_marked() {
    let html = report(&[PLANT, "--as-of=2027-04-02"]);
    let at = html.find("id=\"expiring\"").unwrap();
    let section = &html[at..html[at..].find("id=\"map\"").map_or(html.len(), |e| at + e)];
    assert_eq!(
        section.matches("expired 2 days ago").count(),
        3,
        "{section}"
    );
    // An expired conduit no longer carries the attack: the exposure drops.
    assert!(html.contains("0.0% of OT asset weight is reachable"));
}

#[test]
fn yaml_front_end_gives_the_same_report() {
    let zc = report(&[PLANT, AS_OF, "--format", "markdown"]);
    let yaml = report(&[
        "examples/riverside-yaml/plant.yaml",
        AS_OF,
        "--format",
        "markdown",
    ]);
    assert_eq!(
        zc.replace("riverside/plant.zc", "riverside-yaml/plant.yaml"),
        yaml
    );
}

#[test]
fn a_plant_of_one_zone_or_none_still_gets_a_report() {
    let dir = temp_dir("tiny");
    let one = dir.join("one.zc");
    std::fs::write(&one, "zone only {\n    network 10.0.0.0/8\n}\n").unwrap();
    let empty = dir.join("empty.zc");
    std::fs::write(&empty, "").unwrap();
    for (path, zones) in [
        (&one, "1 zone (1 ot) joined by 0 conduits"),
        (&empty, "0 zones joined by 0 conduits"),
    ] {
        let md = report(&[path.to_str().unwrap(), AS_OF, "--format", "markdown"]);
        assert!(md.contains(zones), "{md}");
        assert!(md.contains("### Is the plant segmented? **No**"));
        assert!(md.contains("no blast radius to compute"));
        assert!(!md.contains("Choke point"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
