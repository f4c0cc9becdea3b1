//! Walk: the documents under INPUT, sorted, each with the output path it
//! maps to. Hidden files and folders are skipped, and so is OUTPUT when it
//! lies inside INPUT. Nothing is read here but directory entries.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// What kind of document a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.txt`, `.text`, or no extension (checked to be text when read).
    Text { has_ext: bool },
    /// `.html`, `.htm`, `.xhtml`.
    Html,
    /// `.jsonl` or `.jsonl.gz`: one document a line.
    Jsonl { gz: bool },
    /// Anything else.
    Other,
}

/// One file found under INPUT.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// Path relative to INPUT (the file name when INPUT is a file).
    pub rel: PathBuf,
    pub kind: Kind,
    /// Path relative to OUTPUT the cleaned text goes to.
    pub out_rel: PathBuf,
    /// The output name was changed because another input took it first.
    pub renamed: bool,
}

/// A problem met while walking (an unreadable folder, a loop).
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

pub fn kind_of(path: &Path) -> Kind {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
    {
        None => Kind::Text { has_ext: false },
        Some(e) if e == "txt" || e == "text" => Kind::Text { has_ext: true },
        Some(e) if e == "html" || e == "htm" || e == "xhtml" => Kind::Html,
        Some(e) if e == "jsonl" || e == "ndjson" => Kind::Jsonl { gz: false },
        Some(e)
            if e == "gz"
                && path.file_stem().is_some_and(|s| {
                    let s = s.to_string_lossy().to_ascii_lowercase();
                    s.ends_with(".jsonl") || s.ends_with(".ndjson")
                }) =>
        {
            Kind::Jsonl { gz: true }
        }
        Some(_) => Kind::Other,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Lists the documents under `input` (a folder or a file), sorted by
/// relative path, and gives each an output path. `exclude` (the output
/// folder, canonical) is never entered.
pub fn walk(input: &Path, exclude: Option<&Path>) -> (Vec<Entry>, Vec<WalkError>) {
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut errors = Vec::new();
    if input.is_file() {
        let name = input
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| input.to_path_buf());
        found.push((input.to_path_buf(), name));
    } else {
        let walker = WalkDir::new(input)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                if is_hidden(e.file_name()) {
                    return false;
                }
                match exclude {
                    Some(ex) if e.file_type().is_dir() => {
                        e.path().canonicalize().map(|c| c != ex).unwrap_or(true)
                    }
                    _ => true,
                }
            });
        for item in walker {
            match item {
                Ok(e) => {
                    let ft = e.file_type();
                    let is_file = ft.is_file() || (ft.is_symlink() && e.path().is_file());
                    if e.depth() > 0 && is_file {
                        let rel = e
                            .path()
                            .strip_prefix(input)
                            .unwrap_or(e.path())
                            .to_path_buf();
                        found.push((e.path().to_path_buf(), rel));
                    } else if ft.is_symlink() && !e.path().exists() {
                        errors.push(WalkError {
                            path: e.path().to_path_buf(),
                            message: "broken symbolic link".into(),
                        });
                    }
                }
                Err(err) => errors.push(WalkError {
                    path: err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.to_path_buf()),
                    message: err
                        .io_error()
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| err.to_string()),
                }),
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    (assign_outputs(found), errors)
}

/// `rel/name.ext` -> `rel/name.txt`. When two inputs map to the same
/// output, a `.txt` input keeps the name (its output is its own name), and
/// the other one, later in sorted order, is written as its full name plus
/// `.txt` ("story.text" -> "story.text.txt").
fn assign_outputs(found: Vec<(PathBuf, PathBuf)>) -> Vec<Entry> {
    let mut taken: HashSet<PathBuf> = HashSet::new();
    let is_text = |rel: &Path| matches!(kind_of(rel), Kind::Text { .. });
    // First pass: text inputs whose output name is their own name.
    for (_, rel) in &found {
        if is_text(rel) && rel.extension().is_some_and(|e| e == "txt") {
            taken.insert(rel.clone());
        }
    }
    let mut entries = Vec::with_capacity(found.len());
    for (path, rel) in found {
        let kind = kind_of(&rel);
        let own = rel.extension().is_some_and(|e| e == "txt");
        let mut out = rel.with_extension("txt");
        let mut renamed = false;
        if !own {
            while taken.contains(&out) {
                let base = if renamed {
                    out.file_name()
                } else {
                    rel.file_name()
                };
                let mut name = base.unwrap_or_default().to_os_string();
                name.push(".txt");
                out = out.with_file_name(name);
                renamed = true;
            }
            // Only documents claim names; skipped files get one for the
            // manifest but never take one from a document.
            if is_text(&rel) {
                taken.insert(out.clone());
            }
        }
        entries.push(Entry {
            path,
            rel,
            kind,
            out_rel: out,
            renamed,
        });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of(Path::new("a/b.TXT")), Kind::Text { has_ext: true });
        assert_eq!(kind_of(Path::new("a/b")), Kind::Text { has_ext: false });
        assert_eq!(kind_of(Path::new("a/b.htm")), Kind::Html);
        assert_eq!(kind_of(Path::new("a/b.pdf")), Kind::Other);
        assert_eq!(kind_of(Path::new("a/b.jsonl")), Kind::Jsonl { gz: false });
        assert_eq!(kind_of(Path::new("a/b.JSONL.gz")), Kind::Jsonl { gz: true });
        assert_eq!(kind_of(Path::new("a/b.tar.gz")), Kind::Other);
    }

    #[test]
    fn collisions_keep_full_name() {
        let found = ["a", "a.text", "a.txt", "b.txt"]
            .iter()
            .map(|s| (PathBuf::from(s), PathBuf::from(s)))
            .collect();
        let e = assign_outputs(found);
        let outs: Vec<String> = e.iter().map(|e| e.out_rel.display().to_string()).collect();
        // "a.txt" keeps its name; "a" and "a.text" give way.
        assert_eq!(outs, ["a.txt.txt", "a.text.txt", "a.txt", "b.txt"]);
        assert!(e[0].renamed && e[1].renamed && !e[2].renamed && !e[3].renamed);
    }
}
