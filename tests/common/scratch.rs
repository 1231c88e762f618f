//! A temporary directory for one test, removed with everything in it when
//! the test drops it (also when it fails). `cargo nextest` runs every test
//! as a process of its own, so a directory named after the process and
//! left behind would pile up one per test and run.

use std::ffi::OsStr;
use std::path::Path;

/// A fresh directory that reads as its path.
pub struct Scratch(tempfile::TempDir);

/// A fresh, empty directory whose name starts with `prefix`.
pub fn dir(prefix: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("a temporary directory"),
    )
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<OsStr> for Scratch {
    fn as_ref(&self) -> &OsStr {
        self.0.path().as_os_str()
    }
}
