//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn newsclean() -> Command {
    Command::cargo_bin("newsclean").expect("binary built")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative path -> bytes), `.newsclean` left out.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap();
        if e.file_type().is_file() && !rel.starts_with(".newsclean") {
            out.insert(
                rel.to_string_lossy().replace('\\', "/"),
                fs::read(e.path()).unwrap(),
            );
        }
    }
    out
}

pub fn manifest(out: &Path) -> Vec<Value> {
    fs::read_to_string(out.join(".newsclean/manifest.jsonl"))
        .expect("manifest written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("manifest line is JSON"))
        .collect()
}

/// A temporary folder and the `in/` and `out/` paths inside it (not created).
pub fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (inp, out) = (tmp.path().join("in"), tmp.path().join("out"));
    (tmp, inp, out)
}

pub fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

/// A digest of every file and folder under `dir` (paths, sizes, bytes,
/// modification times): equal before and after a run when nothing under
/// `dir` was created, changed or deleted.
pub fn fingerprint_tree(dir: &Path) -> Vec<(PathBuf, u64, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let Ok(e) = e else { continue };
        let meta = fs::symlink_metadata(e.path()).ok();
        let bytes = if e.file_type().is_file() {
            fs::read(e.path()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let h = xxhash_rust::xxh3::xxh3_64(&bytes);
        out.push((
            e.path().strip_prefix(dir).unwrap_or(e.path()).to_path_buf(),
            meta.as_ref().map_or(0, |m| m.len()),
            h,
            meta.and_then(|m| m.modified().ok()),
        ));
    }
    out
}

/// The manifest entry of an input path.
pub fn entry<'a>(manifest: &'a [Value], input: &str) -> &'a Value {
    manifest
        .iter()
        .find(|e| e["input"] == input)
        .unwrap_or_else(|| panic!("no manifest entry for {input}"))
}

/// Runs newsclean on the bundled samples into `out` with `args`.
pub fn on_samples(out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    newsclean()
        .arg(repo().join("samples/in"))
        .arg(out)
        .args(args)
        .assert()
}
