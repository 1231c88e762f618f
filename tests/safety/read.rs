//! Reading input: confinement to the policy's tree, regular files only,
//! the size limit, files that are not policies, long import chains, BOM.

use super::{conduit_bounded, mkfifo, scratch, text, SMALL};
use std::os::unix::fs::symlink;
use std::process::Command;

const SECRET: &str = "API_TOKEN=s3cr3t-value\n";

fn check(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = conduit_bounded(dir, args);
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

#[test]
fn imports_and_links_outside_the_tree_are_refused_unread() {
    let base = scratch("confine");
    let policy = base.join("policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(base.join("secret.env"), SECRET).unwrap();
    std::fs::write(
        policy.join("main.zc"),
        format!("import \"../secret.env\"\n{SMALL}"),
    )
    .unwrap();
    for format in ["text", "json", "sarif", "github", "junit"] {
        let (code, out) = check(&policy, &["check", "main.zc", "--format", format]);
        assert_eq!(code, Some(1), "{format}: {out}");
        assert!(out.contains("E0408"), "{format}: {out}");
        assert!(!out.contains("s3cr3t"), "{format} leaks the file: {out}");
    }
    // A link inside the tree to a file outside it, found by reading a directory.
    std::fs::remove_file(policy.join("main.zc")).unwrap();
    std::fs::write(policy.join("main.zc"), SMALL).unwrap();
    symlink(base.join("secret.env"), policy.join("zz.zc")).unwrap();
    let (code, out) = check(&base, &["check", "policy"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("E0408") && !out.contains("s3cr3t"), "{out}");
    // A conduit.yaml link.
    std::fs::remove_file(policy.join("zz.zc")).unwrap();
    symlink(base.join("secret.env"), policy.join("conduit.yaml")).unwrap();
    let (code, out) = check(&base, &["check", "policy"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("E0408") && !out.contains("s3cr3t"), "{out}");
}

#[test]
fn a_file_that_is_not_a_policy_is_never_quoted() {
    let dir = scratch("not-policy");
    std::fs::write(dir.join("env.zc"), "PATH=/usr/bin\0API_TOKEN=s3cr3t\0").unwrap();
    std::fs::write(dir.join("passwd.zc"), "root:x:0:0:s3cr3t:/root:/bin/sh\n").unwrap();
    for file in ["env.zc", "passwd.zc"] {
        for format in ["text", "json", "sarif", "github", "junit"] {
            let (code, out) = check(&dir, &["check", file, "--format", format]);
            assert_eq!(code, Some(1), "{file} {format}: {out}");
            assert!(out.contains("E0409"), "{file} {format}: {out}");
            assert!(!out.contains("s3cr3t"), "{file} {format}: {out}");
        }
    }
}

#[test]
fn fifos_are_refused_without_hanging() {
    let dir = scratch("fifo-in");
    mkfifo(&dir.join("pipe.zc"));
    std::fs::write(dir.join("main.zc"), format!("import \"pipe.zc\"\n{SMALL}")).unwrap();
    let (code, out) = check(&dir, &["check", "main.zc"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("E0406"), "{out}");
    let (code, out) = check(&dir, &["check", "pipe.zc"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("E0406"), "{out}");
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = scratch("size");
    std::fs::write(dir.join("p.zc"), SMALL).unwrap();
    let run = |limit: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .args(["check", "p.zc"])
            .env("NO_COLOR", "1")
            .env("CONDUIT_MAX_FILE_SIZE", limit)
            .current_dir(&dir)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout) + &text(&out.stderr))
    };
    let (code, out) = run("100");
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("E0407") && out.contains("100 bytes"), "{out}");
    let (code, out) = run("100000");
    assert_ne!(code, Some(2), "{out}");
    let (code, out) = run("lots");
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("CONDUIT_MAX_FILE_SIZE"), "{out}");
}

#[test]
fn a_chain_of_seven_thousand_imports_does_not_overflow_the_stack() {
    let dir = scratch("chain");
    let n = 7000;
    for i in 0..n {
        let body = if i + 1 < n {
            format!("import \"f{}.zc\"\n", i + 1)
        } else {
            SMALL.to_string()
        };
        std::fs::write(dir.join(format!("f{i}.zc")), body).unwrap();
    }
    let (code, out) = check(&dir, &["check", "f0.zc", "--format", "json"]);
    assert!(
        matches!(code, Some(0 | 1)),
        "{code:?} {}",
        out.get(..2000).unwrap_or(&out)
    );
    assert!(
        out.contains("\"zones\"") || out.contains("findings"),
        "{}",
        out.get(..2000).unwrap_or(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let dir = scratch("bom");
    std::fs::write(dir.join("p.zc"), format!("\u{feff}{SMALL}")).unwrap();
    std::fs::write(dir.join("conduit.yaml"), "\u{feff}disable: []\n").unwrap();
    let (code, out) = check(&dir, &["check", "p.zc", "--format", "json"]);
    assert!(!out.contains("E0110") && !out.contains("E0101"), "{out}");
    assert_ne!(code, Some(2), "{out}");
}

#[test]
fn a_sibling_directory_is_read_when_it_is_named_too() {
    let base = scratch("sibling");
    std::fs::create_dir_all(base.join("site")).unwrap();
    std::fs::create_dir_all(base.join("common")).unwrap();
    std::fs::write(
        base.join("common/zones.zc"),
        "zone b {\n    purdue 2\n    network 10.62.0.0/24\n}\n",
    )
    .unwrap();
    std::fs::write(
        base.join("site/plant.zc"),
        "import \"../common/zones.zc\"\nzone a {\n    purdue 3\n    network 10.61.0.0/24\n}\n",
    )
    .unwrap();
    let (_, out) = check(&base, &["check", "site/plant.zc", "--format", "json"]);
    assert!(out.contains("E0408"), "{out}");
    let (_, out) = check(
        &base,
        &["check", "site/plant.zc", "common", "--format", "json"],
    );
    assert!(!out.contains("E0408") && !out.contains("E0204"), "{out}");
}
