//! Output files: exclusive temporary files, links, FIFOs, the iptables
//! pair, stale temporary files of killed runs.

use super::{conduit_in, mkfifo, scratch, text, SMALL};
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};

fn compile_ipt(dir: &std::path::Path, out: &str) -> std::process::Output {
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    conduit_in(
        dir,
        &[
            "compile",
            "p.zc",
            "--backend",
            "iptables",
            "--as-of",
            "2026-11-28",
            "-o",
            out,
        ],
    )
}

#[test]
fn two_families_never_share_standard_output() {
    let dir = scratch("stdout-pair");
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    let out = conduit_in(&dir, &["compile", "p.zc", "--backend", "iptables"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        text(&out.stdout)
    );
    let err = text(&out.stderr);
    assert!(err.contains("E0405") && err.contains("-o FILE"), "{err}");
    // One file (nftables) still goes to standard output.
    let out = conduit_in(&dir, &["compile", "p.zc", "--backend", "nftables"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("table inet conduit"));
}

#[test]
fn the_v6_file_always_comes_with_its_v4_file() {
    let dir = scratch("pair");
    // A stale FILE.v6 from a policy that still allowed IPv6 flows.
    std::fs::write(
        dir.join("fw.rules.v6"),
        "*filter\n-A conduit-fwd -j ACCEPT\nCOMMIT\n",
    )
    .unwrap();
    let out = compile_ipt(&dir, "fw.rules");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v6 = std::fs::read_to_string(dir.join("fw.rules.v6")).unwrap();
    assert!(v6.contains("ip6tables-restore --noflush"), "{v6}");
    assert!(
        v6.contains("-A conduit-fwd -m comment --comment \"default deny\" -j DROP"),
        "{v6}"
    );
    assert!(
        !v6.contains("-A conduit-fwd -j ACCEPT"),
        "stale v6 replaced"
    );
}

#[test]
fn a_planted_link_at_any_temp_name_is_never_followed() {
    let dir = scratch("planted");
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    // A predictable name (`.NAME.<pid>.tmp`) is found by planting links
    // for the next process ids.
    let next = std::process::Command::new("true").spawn().unwrap().id();
    let guesses = (next..next + 3000).map(|pid| format!(".fw.rules.{pid}.tmp"));
    for name in guesses.chain([".fw.rules.tmp".to_string()]) {
        symlink(&victim, dir.join(name)).unwrap();
    }
    let out = compile_ipt(&dir, "fw.rules");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::read_to_string(dir.join("fw.rules"))
        .unwrap()
        .contains("*filter"));
}

#[test]
fn writing_to_a_fifo_writes_into_it_and_keeps_it() {
    let dir = scratch("fifo");
    let fifo = dir.join("out.fifo");
    mkfifo(&fifo);
    // Open for reading first, without blocking, so the writer never
    // waits (the output is far below the pipe's buffer) and a FIFO that
    // was replaced instead of written cannot hang the test.
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    let out = conduit_in(
        &dir,
        &[
            "compile",
            "p.zc",
            "--backend",
            "nftables",
            "--as-of",
            "2026-11-28",
            "-o",
            "out.fifo",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut got = String::new();
    let _ = reader.read_to_string(&mut got);
    assert!(
        got.contains("table inet conduit"),
        "read from the FIFO: {got:?}"
    );
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    use std::os::unix::fs::FileTypeExt;
    assert!(kind.is_fifo(), "the FIFO is still a FIFO");
}

#[test]
fn a_character_device_is_written_in_place_not_replaced() {
    // /dev/null itself is never touched: a link to it in a temp dir is
    // followed to the device, which must stay a device.
    let dir = scratch("device");
    symlink("/dev/null", dir.join("sink")).unwrap();
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    let out = conduit_in(&dir, &["graph", "p.zc", "-o", "sink"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let link = std::fs::symlink_metadata(dir.join("sink")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata(dir.join("sink")).unwrap();
    assert!(meta.file_type().is_char_device());
}

#[test]
fn fmt_write_on_a_link_writes_through_to_its_target() {
    let dir = scratch("fmt-link");
    let real = dir.join("real.zc");
    std::fs::write(&real, SMALL.replace("    purdue 3", "  purdue   3")).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    symlink("real.zc", dir.join("link.zc")).unwrap();
    let out = conduit_in(&dir, &["fmt", "--write", "link.zc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(dir.join("link.zc"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), SMALL);
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the mode of the replaced file is kept");
}

#[test]
fn stale_temp_files_of_killed_runs_are_removed() {
    let dir = scratch("stale");
    let stale = dir.join(".fw.rules.AbC123.conduit-tmp");
    let fresh = dir.join(".fw.rules.XyZ789.conduit-tmp");
    let unrelated = dir.join(".other.AbC123.conduit-tmp");
    for p in [&stale, &fresh, &unrelated] {
        std::fs::write(p, "half").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for p in [&stale, &unrelated] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
    }
    let out = compile_ipt(&dir, "fw.rules");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !stale.exists(),
        "an old temp file of the same output is removed"
    );
    assert!(fresh.exists(), "a concurrent run's young temp file is kept");
    assert!(
        unrelated.exists(),
        "other outputs' files are not ours to remove"
    );
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".conduit-tmp") && !n.contains("XyZ789") && !n.contains("other"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn fmt_write_refuses_a_link_that_leaves_the_tree() {
    let base = scratch("fmt-escape");
    let tree = base.join("policies");
    std::fs::create_dir_all(&tree).unwrap();
    let outside = base.join("outside.zc");
    let original = SMALL.replace("    purdue 3", "  purdue   3");
    std::fs::write(&outside, &original).unwrap();
    symlink(&outside, tree.join("evil.zc")).unwrap();
    let out = conduit_in(&base, &["fmt", "--write", "policies"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("E0408"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), original);
}
