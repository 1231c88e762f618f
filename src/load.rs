//! Loading a policy: read files, follow imports, parse, resolve.
//!
//! The one entry point that later phases and tests use to get a [`Model`]
//! from paths or from text. Never fails: problems come back as diagnostics
//! next to a (possibly partial) model. The built-in service catalog
//! (`policies/services.zc`) is embedded in the binary and always loaded
//! first.

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

/// Parsed files on the way to resolution.
struct Loader {
    sources: SourceMap,
    docs: Vec<(FileId, Document, bool)>,
    diags: Vec<Diagnostic>,
    files: Vec<FileId>,
    /// Canonical paths of files being loaded (import stack).
    stack: Vec<PathBuf>,
}

impl Loader {
    fn new() -> Loader {
        let mut l = Loader {
            sources: SourceMap::new(),
            docs: Vec::new(),
            diags: Vec::new(),
            files: Vec::new(),
            stack: Vec::new(),
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

    /// Adds text as a policy file and follows its imports.
    fn add_text(&mut self, name: String, path: Option<PathBuf>, text: String) {
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
        for (target, span) in imports {
            self.import(&dir.join(&target), &shown_dir.join(&target), span);
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
        if let Some(pos) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self
                .stack
                .get(pos..)
                .unwrap_or(&[])
                .iter()
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

    /// Reads one file (once, however often it is named or imported).
    fn load_file(&mut self, path: &Path, shown: &Path, from: Option<Span>) {
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return self.io_error(shown, &e, from),
        };
        if self.sources.find_path(&canonical).is_some() {
            return;
        }
        let bytes = match std::fs::read(&canonical) {
            Ok(b) => b,
            Err(e) => return self.io_error(shown, &e, from),
        };
        let name = shown.display().to_string();
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
        self.stack.push(canonical.clone());
        self.add_text(name, Some(canonical), text);
        self.stack.pop();
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

/// Loads policy files (and directories of `.zc`/`.yaml` files) with their imports.
pub fn load_policy(paths: &[PathBuf]) -> Loaded {
    let mut l = Loader::new();
    for p in paths {
        match expand_path(p) {
            Ok(files) => {
                for f in files {
                    l.load_file(&f, &f, None);
                }
            }
            Err(e) => l.io_error(p, &e, None),
        }
    }
    l.finish()
}

/// Loads a policy from text, as if read from a file named `name`
/// (imports are resolved relative to the current directory).
pub fn load_str(name: &str, text: &str) -> Loaded {
    let mut l = Loader::new();
    l.add_text(name.to_string(), None, text.to_string());
    l.finish()
}
