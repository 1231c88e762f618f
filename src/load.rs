//! Loading a policy: read files, follow imports, parse, resolve.
//!
//! The one entry point that later phases and tests use to get a [`Model`]
//! from paths or from text. Never fails: problems come back as diagnostics
//! next to a (possibly partial) model. The built-in service catalog
//! (`policies/services.zc`) is embedded in the binary and always loaded
//! first.
//!
//! Reading is confined, because a policy may come from an untrusted pull
//! request: every file (command-line files, imports, `conduit.yaml`) must
//! lie, after resolving symbolic links, inside the directory of a path
//! given on the command line (E0408); only regular files are read (E0406),
//! up to a size limit (E0407, [`ReadLimits`]); a file that does not start
//! like a policy is reported without quoting any of it (E0409). Imports
//! are followed with an explicit stack, so a long chain cannot overflow
//! the call stack. A leading UTF-8 byte order mark is skipped.

use crate::diagnostics::{self, Diagnostic};
use crate::model::{self, Model};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{
    self,
    tree::{Arg, Document},
};
use std::path::{Path, PathBuf};

/// The built-in service catalog, embedded at build time.
pub const BUILTIN_SERVICES: &str = include_str!("../policies/services.zc");
/// Name under which the catalog appears in diagnostics.
pub const BUILTIN_SERVICES_NAME: &str = "<builtin>/services.zc";

/// The result of loading a policy.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    /// The resolved model. Partial when `diagnostics` holds errors: later
    /// phases must not run on it then.
    pub model: Model,
    /// Every problem found while reading, parsing and resolving, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The policy files that were read (not the built-in catalog), in load order.
    pub files: Vec<FileId>,
    /// The syntax trees, kept so that a short-lived command can skip
    /// freeing them (see [`Loaded::leak`]).
    trees: Vec<Document>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        diagnostics::has_errors(&self.diagnostics)
    }

    /// The syntax trees of the built-in catalog and every policy file.
    pub fn syntax_trees(&self) -> &[Document] {
        &self.trees
    }

    /// Gives the memory back to the operating system at process exit
    /// instead of freeing every node: for a 10,000-zone plant, freeing the
    /// syntax trees and the model costs about a third of a second. Only for
    /// the command line, right before the process ends.
    pub fn leak(self) {
        std::mem::forget(self);
    }
}

/// Default of [`ReadLimits::max_file_size`]: 16 MiB, far above any
/// real plant (a 10,000-zone policy is about 3 MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// How much the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file read, in bytes (the command line takes it from
    /// `CONDUIT_MAX_FILE_SIZE`).
    pub max_file_size: u64,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A FIFO, device or socket.
    NotRegular,
    /// Larger than the limit (given).
    TooLarge(u64),
}

/// Reads a regular file of at most `limit` bytes. A FIFO or device is
/// refused before anything is read (opened without blocking, then
/// checked on the open handle, so a file swapped in between is caught).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        /// `O_NONBLOCK` on Linux: opening a FIFO does not wait for a writer.
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        // EISDIR, as reading would report it.
        return Err(ReadError::Io(std::io::Error::from_raw_os_error(21)));
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// The directory trees a run may read: the canonical directory of each
/// path (the path itself when it is a directory, else the directory it
/// is named in, so a linked file does not widen the tree).
pub fn policy_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            let dir = if p.is_dir() {
                p.clone()
            } else {
                match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                }
            };
            std::fs::canonicalize(dir).ok()
        })
        .collect()
}

/// Whether a canonical path lies inside one of the roots.
pub fn inside(roots: &[PathBuf], canonical: &Path) -> bool {
    roots.iter().any(|r| canonical.starts_with(r))
}

/// Statement keywords a `.zc` file starts with (after comments).
const KEYWORDS: &[&str] = &["import", "zone", "service", "conduit", "waive"];
/// Top-level keys a YAML policy starts with.
const YAML_KEYS: &[&str] = &["import", "zones", "services", "conduits", "waivers"];

/// Whether a file starts like a policy: after a byte order mark, blank
/// lines and `#` comments (and a YAML `---`), its first word is a
/// statement keyword (or a one-letter slip of one, such as `zome`)
/// followed by a blank, or for YAML a top-level key followed by `:`. An
/// empty file qualifies. Files that do not (`/etc/passwd`, an
/// environment dump, a binary) are reported without showing any of
/// their text.
fn looks_like_policy(bytes: &[u8], yaml: bool) -> bool {
    let text = String::from_utf8_lossy(bytes.get(..4096).unwrap_or(bytes));
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
    else {
        return true;
    };
    let word: String = line
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '-')
        .collect();
    let next = line.get(word.len()..).and_then(|r| r.chars().next());
    if yaml {
        return YAML_KEYS.contains(&word.as_str()) && next == Some(':');
    }
    let blank = matches!(next, Some(' ' | '\t'));
    blank
        && KEYWORDS
            .iter()
            .any(|k| *k == word || (word.len() >= 4 && one_edit(k, &word)))
}

/// Whether `a` and `b` differ by one substitution, insertion, deletion
/// or swap of neighbours.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (
        a.get(prefix..).unwrap_or(&[]),
        b.get(prefix..).unwrap_or(&[]),
    );
    let tail = |x: &[char], n: usize| x.get(n..).map(<[char]>::to_vec);
    match (ra.len(), rb.len()) {
        (0, 0) => true,
        (la, lb) if la == lb => {
            tail(ra, 1) == tail(rb, 1)
                || (la >= 2
                    && ra.first() == rb.get(1)
                    && ra.get(1) == rb.first()
                    && tail(ra, 2) == tail(rb, 2))
        }
        (la, lb) if la == lb + 1 => tail(ra, 1).as_deref() == Some(rb),
        (la, lb) if lb == la + 1 => tail(rb, 1).as_deref() == Some(ra),
        _ => false,
    }
}

/// One pending import of a file on the import stack.
struct Import {
    path: PathBuf,
    shown: PathBuf,
    span: Span,
}

/// A file on the import stack and the imports it has left to follow.
struct Frame {
    canonical: PathBuf,
    imports: std::vec::IntoIter<Import>,
}

/// Parsed files on the way to resolution.
struct Loader {
    sources: SourceMap,
    docs: Vec<(FileId, Document, bool)>,
    diags: Vec<Diagnostic>,
    files: Vec<FileId>,
    /// The import stack (an explicit stack: chains of any length).
    frames: Vec<Frame>,
    /// Directory trees files may be read from.
    roots: Vec<PathBuf>,
    limits: ReadLimits,
}

impl Loader {
    fn new(roots: Vec<PathBuf>, limits: ReadLimits) -> Loader {
        let mut l = Loader {
            sources: SourceMap::new(),
            docs: Vec::new(),
            diags: Vec::new(),
            files: Vec::new(),
            frames: Vec::new(),
            roots,
            limits,
        };
        let id = l
            .sources
            .add(BUILTIN_SERVICES_NAME, None, BUILTIN_SERVICES.to_string());
        let (doc, diags) = syntax::parse(id, BUILTIN_SERVICES);
        l.diags.extend(diags);
        l.docs.push((id, doc, true));
        l
    }

    fn finish(mut self) -> Loaded {
        let inputs: Vec<model::Input<'_>> = self
            .docs
            .iter()
            .map(|(file, doc, builtin)| model::Input {
                file: *file,
                doc,
                builtin: *builtin,
            })
            .collect();
        let (model, diags) = model::resolve(&inputs);
        self.diags.extend(diags);
        diagnostics::sort_and_dedup(&mut self.diags);
        Loaded {
            sources: self.sources,
            model,
            diagnostics: self.diags,
            files: self.files,
            trees: self.docs.into_iter().map(|(_, doc, _)| doc).collect(),
        }
    }

    /// Adds text as a policy file; its imports, to follow next.
    fn add_text(&mut self, name: String, path: Option<PathBuf>, text: String) -> Vec<Import> {
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        let id = self.sources.add(name, path.clone(), text);
        self.files.push(id);
        let (doc, diags) = if is_yaml {
            crate::syntax::yaml::parse(id, self.sources.text(id))
        } else {
            syntax::parse(id, self.sources.text(id))
        };
        self.diags.extend(diags);
        let imports: Vec<(String, Span)> = doc
            .items
            .iter()
            .filter(|it| it.key().is_some_and(|k| k.text == "import"))
            .filter_map(|it| match it.args() {
                [a] => match &a.arg {
                    Arg::Str(s) => Some((s.value.clone(), s.span)),
                    Arg::Word(_) => None,
                },
                _ => None,
            })
            .collect();
        self.docs.push((id, doc, false));
        let dir = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // Imports are shown relative to how the user named the importing
        // file, so that messages (and goldens) never carry absolute paths.
        let shown_dir = Path::new(self.sources.name(id))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        imports
            .into_iter()
            .map(|(target, span)| Import {
                path: dir.join(&target),
                shown: shown_dir.join(&target),
                span,
            })
            .collect()
    }

    /// Follows the imports on the stack until none is left, depth first.
    fn drain(&mut self) {
        while let Some(frame) = self.frames.last_mut() {
            match frame.imports.next() {
                Some(next) => self.import(&next.path, &next.shown, next.span),
                None => {
                    self.frames.pop();
                }
            }
        }
    }

    fn import(&mut self, path: &Path, shown: &Path, span: Span) {
        let Ok(canonical) = std::fs::canonicalize(path) else {
            self.diags.push(
                Diagnostic::error(
                    "E0403",
                    format!("imported file `{}` not found", shown.display()),
                )
                .at(span, "no such file")
                .with_help("import paths are relative to the importing file"),
            );
            return;
        };
        if let Some(pos) = self.frames.iter().position(|f| f.canonical == canonical) {
            let chain: Vec<String> = self
                .frames
                .get(pos..)
                .unwrap_or(&[])
                .iter()
                .map(|f| &f.canonical)
                .chain(std::iter::once(&canonical))
                .map(|p| {
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .collect();
            self.diags.push(
                Diagnostic::error("E0402", format!("import cycle: {}", chain.join(" -> ")))
                    .at(span, "this import closes the cycle")
                    .with_help("move the shared declarations into a third file that both import"),
            );
            return;
        }
        self.load_file(path, shown, Some(span));
    }

    /// A refused file: `from` is the import that named it, if any.
    fn refuse(&mut self, code: &str, message: String, from: Option<Span>, help: &str) {
        let mut d = Diagnostic::error(code, message);
        if let Some(span) = from {
            d = d.at(span, "imported here");
        }
        self.diags.push(d.with_help(help));
    }

    /// Reads one file (once, however often it is named or imported) and
    /// puts it on the import stack.
    fn load_file(&mut self, path: &Path, shown: &Path, from: Option<Span>) {
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return self.io_error(shown, &e, from),
        };
        if self.sources.find_path(&canonical).is_some() {
            return;
        }
        let name = shown.display().to_string();
        if !inside(&self.roots, &canonical) {
            return self.refuse(
                "E0408",
                format!("`{name}` is outside the policy's directory tree"),
                from,
                "a policy reads only files under the directories of the paths given on the \
                 command line (symbolic links resolved): name the file's directory on the \
                 command line too, or move the file into the tree",
            );
        }
        let bytes = match read_file(&canonical, self.limits.max_file_size) {
            Ok(b) => b,
            Err(ReadError::Io(e)) => return self.io_error(shown, &e, from),
            Err(ReadError::NotRegular) => {
                return self.refuse(
                    "E0406",
                    format!("`{name}` is not a regular file (a FIFO, device or socket)"),
                    from,
                    "policy files are regular files",
                )
            }
            Err(ReadError::TooLarge(limit)) => {
                return self.refuse(
                    "E0407",
                    format!("`{name}` is larger than the limit of {limit} bytes"),
                    from,
                    "split the policy into files that import each other, or raise the limit \
                     with CONDUIT_MAX_FILE_SIZE=BYTES",
                )
            }
        };
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !looks_like_policy(&bytes, is_yaml) {
            // Remember the path (read once) but keep none of the text.
            self.sources
                .add(name.clone(), Some(canonical), String::new());
            return self.refuse(
                "E0409",
                format!("`{name}` does not look like a policy file; none of it is shown"),
                from,
                "a policy file starts with comments and a statement (`zone`, `conduit`, \
                 `service`, `import`, `waive`), or for YAML a top-level key such as `zones:`",
            );
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let at = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .find(|i| *i >= valid)
                    .unwrap_or(text.len());
                let id = self.sources.add(name, Some(canonical), text);
                self.files.push(id);
                self.diags.push(
                    Diagnostic::error("E0110", "file is not valid UTF-8")
                        .at(Span::new(id, at, at + 1), "invalid byte here")
                        .with_help("policy files are UTF-8 text; is this the right file?"),
                );
                return;
            }
        };
        let imports = self.add_text(name, Some(canonical.clone()), text);
        self.frames.push(Frame {
            canonical,
            imports: imports.into_iter(),
        });
    }

    fn io_error(&mut self, path: &Path, e: &std::io::Error, from: Option<Span>) {
        let mut d = Diagnostic::error("E0401", format!("cannot read `{}`: {e}", path.display()));
        if let Some(span) = from {
            d = d.at(span, "imported here");
        }
        self.diags
            .push(d.with_help("check the path and its permissions"));
    }
}

/// The policy files a path names: the file itself, or the `.zc`, `.yaml`
/// and `.yml` files directly inside a directory, sorted by name, except
/// `conduit.yaml` and target profiles.
pub fn expand_path(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "zc" || e == "yaml" || e == "yml")
                && p.file_name().is_some_and(|n| n != "conduit.yaml")
                && !is_target_profile(p)
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Whether a YAML file is a firewall target profile (a top-level
/// `backend:` key, which no policy has), so that a directory of policies
/// may hold the profiles of its firewalls. Only the first 64 KiB are read.
fn is_target_profile(path: &Path) -> bool {
    use std::io::Read;
    if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        return false;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(65_536).read_to_end(&mut head));
    read.is_ok()
        && String::from_utf8_lossy(&head)
            .lines()
            .any(|l| l.starts_with("backend:"))
}

/// Loads policy files (and directories of `.zc`/`.yaml` files) with their
/// imports, with the default [`ReadLimits`].
pub fn load_policy(paths: &[PathBuf]) -> Loaded {
    load_policy_with(paths, ReadLimits::default())
}

/// Loads policy files with explicit read limits.
pub fn load_policy_with(paths: &[PathBuf], limits: ReadLimits) -> Loaded {
    let mut l = Loader::new(policy_roots(paths), limits);
    for p in paths {
        match expand_path(p) {
            Ok(files) => {
                for f in files {
                    l.load_file(&f, &f, None);
                    l.drain();
                }
            }
            Err(e) => l.io_error(p, &e, None),
        }
    }
    l.finish()
}

/// Loads a policy from text, as if read from a file named `name`
/// (imports are resolved relative to, and confined to, the current
/// directory).
pub fn load_str(name: &str, text: &str) -> Loaded {
    let roots = std::fs::canonicalize(".").into_iter().collect();
    let mut l = Loader::new(roots, ReadLimits::default());
    let imports = l.add_text(name.to_string(), None, text.to_string());
    l.frames.push(Frame {
        canonical: PathBuf::new(),
        imports: imports.into_iter(),
    });
    l.drain();
    l.finish()
}
