//! End-to-end tests of the `newsclean` command line.
//!
//! Each test builds its input in a temporary folder (or reads the bundled
//! `samples/`), runs the real binary and checks files, manifest, messages
//! and exit code.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use predicates::prelude::*;
use serde_json::Value;

const ARTICLE: &str = "Bridge closes to lorries\n\nBy Jane Doe\nPublished: 3 March 2025 10:00 GMT\n\n\
The council voted on Tuesday to close the old bridge to lorries after engineers warned that its supports were failing.\n\n\
Residents said the closure would add half an hour to the school run and asked the council for a shuttle bus.\n\n\
Advertisement\n\nCopyright 2025 Harbour Post. All rights reserved.\n\nRelated Articles\n\nBus lanes extended\n";

const ARTICLE_CLEAN: &str = "Bridge closes to lorries\n\n\
The council voted on Tuesday to close the old bridge to lorries after engineers warned that its supports were failing.\n\n\
Residents said the closure would add half an hour to the school run and asked the council for a shuttle bus.\n";

#[test]
fn samples_match_reviewed_expected_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    on_samples(&out, &[])
        .success()
        .stderr(predicate::str::contains("32 read, 32 written"));
    let got = tree(&out);
    let want = tree(&repo().join("samples/expected"));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &want {
        assert_eq!(
            String::from_utf8_lossy(&got[name]),
            String::from_utf8_lossy(bytes),
            "{name} differs from samples/expected"
        );
    }
}

#[test]
fn output_format_utf8_nfc_lf_single_blank_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    on_samples(&out, &[]).success();
    for (name, bytes) in tree(&out) {
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        assert!(!text.contains('\r'), "{name}: CR");
        assert!(!text.contains("\n\n\n"), "{name}: more than one blank line");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{name}: final newline"
        );
        for line in text.lines() {
            assert_eq!(line, line.trim(), "{name}: untrimmed line");
            assert!(!line.contains("  "), "{name}: double space");
        }
        use unicode_normalization::UnicodeNormalization;
        assert_eq!(text.nfc().collect::<String>(), text, "{name}: not NFC");
    }
}

#[test]
fn cleaning_its_own_output_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (out1, out2) = (tmp.path().join("1"), tmp.path().join("2"));
    on_samples(&out1, &[]).success();
    newsclean().arg(&out1).arg(&out2).assert().success();
    assert_eq!(tree(&out1), tree(&out2));
    for entry in manifest(&out2) {
        assert_eq!(
            entry["removed"],
            Value::Array(vec![]),
            "second pass removed from {}",
            entry["input"]
        );
    }
}

#[test]
fn manifest_records_every_removal_and_metadata_sorted() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "b/story.txt", ARTICLE.as_bytes());
    write(&inp, "a.txt", ARTICLE.as_bytes());
    newsclean().arg(&inp).arg(&out).assert().success();
    assert_eq!(
        fs::read_to_string(out.join("b/story.txt")).unwrap(),
        ARTICLE_CLEAN
    );
    let m = manifest(&out);
    let inputs: Vec<&str> = m.iter().map(|e| e["input"].as_str().unwrap()).collect();
    assert_eq!(inputs, ["a.txt", "b/story.txt"]);
    let e = &m[1];
    assert_eq!(e["output"], "b/story.txt");
    assert_eq!(e["status"], "written");
    assert_eq!(e["title"], "Bridge closes to lorries");
    assert_eq!(e["author"], "Jane Doe");
    assert_eq!(e["date"], "2025-03-03");
    assert_eq!(e["bytes_in"], ARTICLE.len());
    assert_eq!(e["bytes_out"], ARTICLE_CLEAN.len());
    let removed: Vec<(&str, &str)> = e["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["stage"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        removed,
        [
            ("byline", "By Jane Doe"),
            ("byline", "Published: 3 March 2025 10:00 GMT"),
            ("widgets", "Advertisement"),
            (
                "copyright",
                "Copyright 2025 Harbour Post. All rights reserved."
            ),
            ("tail", "Related Articles"),
            ("tail", "Bus lanes extended"),
        ]
    );
    assert!(e["removed"][0]["reason"].as_str().unwrap().len() > 3);
    assert_eq!(e["removed"][0]["line"], 3);
}

#[test]
fn skips_hidden_html_and_other_files_with_counts() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "a.txt", ARTICLE.as_bytes());
    write(&inp, "page.html", b"<html><body><p>Hi</p></body></html>");
    write(&inp, "photo.jpg", b"\xFF\xD8\xFF\xE0");
    write(&inp, ".hidden.txt", ARTICLE.as_bytes());
    write(&inp, ".git/config", b"x");
    write(&inp, "noext", ARTICLE.as_bytes());
    write(&inp, "blob", b"\x00\x01\x02binary");
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 1: binary file"))
        .stderr(predicate::str::contains("skipped 1: not a text document"));
    let files: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(files, ["a.txt", "noext.txt", "page.txt"]);
    // The page holds no article: written empty, and flagged.
    assert_eq!(fs::read(out.join("page.txt")).unwrap(), b"");
    let m = manifest(&out);
    let page = entry(&m, "page.html");
    assert_eq!(page["no_article"], true);
    assert_eq!(page["empty"], true);
}

#[test]
fn colliding_output_names_keep_the_full_name() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "story.txt", ARTICLE.as_bytes());
    write(&inp, "story.text", ARTICLE.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 output names taken by another input",
        ));
    let files: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(files, ["story.text.txt", "story.txt"]);
    let m = manifest(&out);
    assert_eq!(m[0]["input"], "story.text");
    assert_eq!(m[0]["renamed"], true);
}

#[test]
fn windows_1252_and_utf16_and_bom_are_decoded() {
    let (_tmp, inp, out) = scratch();
    let body = "Caf\u{e9} owners said the \u{201c}new rules\u{201d} would cost them \u{a3}2,000 a year, the council\u{2019}s report found.";
    let cp1252: Vec<u8> = body
        .chars()
        .map(|c| match c {
            '\u{e9}' => 0xE9,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{a3}' => 0xA3,
            '\u{2019}' => 0x92,
            c => c as u8,
        })
        .collect();
    write(&inp, "cp1252.txt", &cp1252);
    let mut le = vec![0xFF, 0xFE];
    le.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    write(&inp, "utf16.txt", &le);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(body.as_bytes());
    write(&inp, "bom.txt", &bom);
    newsclean().arg(&inp).arg(&out).assert().success();
    for name in ["cp1252.txt", "utf16.txt", "bom.txt"] {
        assert_eq!(
            fs::read_to_string(out.join(name)).unwrap(),
            format!("{body}\n"),
            "{name}"
        );
    }
}

#[test]
fn single_file_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write(tmp.path(), "one.txt", ARTICLE.as_bytes());
    newsclean()
        .arg(tmp.path().join("one.txt"))
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(out.join("one.txt")).unwrap(),
        ARTICLE_CLEAN
    );
}

#[test]
fn output_inside_input_is_not_walked() {
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    write(&inp, "a.txt", ARTICLE.as_bytes());
    let out = inp.join("cleaned");
    newsclean().arg(&inp).arg(&out).assert().success();
    // A second run must not pick up the first run's output as input.
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 read, 1 written"));
    assert!(!out.join("cleaned").exists());
}

#[test]
fn input_equal_to_output_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.txt", ARTICLE.as_bytes());
    newsclean()
        .arg(tmp.path())
        .arg(tmp.path().join("."))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("same folder"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("a.txt")).unwrap(),
        ARTICLE
    );
}

#[test]
fn usage_errors_exit_2() {
    newsclean().assert().code(2);
    newsclean().arg("only-one-arg").assert().code(2);
    newsclean()
        .args(["/definitely/not/here", "/tmp/x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.txt", b"x");
    newsclean()
        .arg(tmp.path())
        .arg(tmp.path().join("a.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("existing file"));
    newsclean()
        .arg(tmp.path())
        .arg(tmp.path().join("out"))
        .args(["--disable", "nonsense"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown stage"));
}

#[cfg(unix)]
#[test]
fn a_bad_file_is_reported_and_the_rest_goes_on() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "a.txt", ARTICLE.as_bytes());
    write(&inp, "c.txt", ARTICLE.as_bytes());
    std::os::unix::fs::symlink(inp.join("missing.txt"), inp.join("b.txt")).unwrap();
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("b.txt"))
        .stderr(predicate::str::contains("1 failed"));
    assert!(out.join("a.txt").exists() && out.join("c.txt").exists());
}

#[test]
fn input_is_never_modified() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let before = tree(&repo().join("samples/in"));
    on_samples(&out, &[]).success();
    assert_eq!(tree(&repo().join("samples/in")), before);
}

#[test]
fn all_residue_gives_an_empty_flagged_output() {
    let (_tmp, inp, out) = scratch();
    write(
        &inp,
        "junk.txt",
        b"Skip to content\nHome | News | Sport | Weather\nAdvertisement\n------\n",
    );
    write(&inp, "empty.txt", b"");
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("2 written (2 empty)"));
    assert_eq!(fs::read(out.join("junk.txt")).unwrap(), b"");
    assert_eq!(manifest(&out)[1]["empty"], true);
}

#[test]
fn explain_shows_stage_and_reason() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.txt", ARTICLE.as_bytes());
    newsclean()
        .arg("explain")
        .arg(tmp.path().join("a.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "H    1 | Bridge closes to lorries",
        ))
        .stdout(predicate::str::contains(
            "-    3 | By Jane Doe\n       [byline] byline",
        ))
        .stdout(predicate::str::contains("[copyright] copyright line"))
        .stdout(predicate::str::contains("# author: Jane Doe"));
}

#[test]
fn disabling_a_stage_keeps_its_lines() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "a.txt", ARTICLE.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--disable", "copyright"])
        .assert()
        .success();
    let text = fs::read_to_string(out.join("a.txt")).unwrap();
    assert!(text.contains("All rights reserved"));
    assert!(!text.contains("Advertisement"));
}

#[test]
fn same_output_with_one_or_many_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (o1, o4) = (tmp.path().join("1"), tmp.path().join("4"));
    on_samples(&o1, &["-j", "1"]).success();
    on_samples(&o4, &["-j", "4"]).success();
    assert_eq!(tree(&o1), tree(&o4));
    assert_eq!(
        fs::read(o1.join(".newsclean/manifest.jsonl")).unwrap(),
        fs::read(o4.join(".newsclean/manifest.jsonl")).unwrap()
    );
}

/// The whole samples folder (inputs and their reviewed copies: many exact
/// and near duplicates) gives the same manifest and clusters on every run,
/// whatever the threads. (A race reading the scratch file back once made
/// clusters differ between runs.)
#[test]
fn same_clusters_on_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (n, j) in ["1", "4", "4", "2", "4"].iter().enumerate() {
        let out = tmp.path().join(n.to_string());
        newsclean()
            .arg(repo().join("samples"))
            .arg(&out)
            .args(["-j", j, "-q"])
            .assert()
            .success();
        let read = |f: &str| fs::read(out.join(".newsclean").join(f)).unwrap();
        runs.push((read("manifest.jsonl"), read("duplicates.json")));
    }
    let clusters: Value = serde_json::from_slice(&runs[0].1).unwrap();
    assert!(
        clusters.to_string().matches("\"canonical\"").count() >= 10,
        "the samples hold many clusters"
    );
    for (n, run) in runs.iter().enumerate().skip(1) {
        assert!(run.0 == runs[0].0, "manifest of run {n} differs");
        assert!(run.1 == runs[0].1, "clusters of run {n} differ");
    }
}

/// The seed articles of `../shared/seeds` (not part of the project; the test
/// is skipped where they are absent). Checks what holds for any real article:
/// cleaning is idempotent, every long prose line survives unless a tail or
/// caption rule took it, and a title is found for each.
#[test]
fn seeds_when_present() {
    let seeds = repo().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("skipped: {} not found", seeds.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (o1, o2) = (tmp.path().join("1"), tmp.path().join("2"));
    newsclean().arg(&seeds).arg(&o1).assert().success();
    newsclean().arg(&o1).arg(&o2).assert().success();
    assert_eq!(tree(&o1), tree(&o2), "not idempotent on the seeds");
    for e in manifest(&o1) {
        assert!(e["title"].is_string(), "no title for {}", e["input"]);
        for r in e["removed"].as_array().unwrap() {
            let text = r["text"].as_str().unwrap();
            let words = text.split_whitespace().count();
            let stage = r["stage"].as_str().unwrap();
            assert!(
                words < 20 || stage == "captions" || stage == "tail",
                "{}: long line removed by {stage}: {text}",
                e["input"]
            );
        }
    }
}

fn duplicates(out: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(out.join(".newsclean/duplicates.json")).unwrap())
        .unwrap()
}

/// Member inputs of each cluster in duplicates.json.
fn cluster_members(out: &Path) -> Vec<Vec<String>> {
    duplicates(out)["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["input"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn republished_wire_stories_cluster_and_same_topic_stories_do_not() {
    let (_tmp, _, out) = scratch();
    on_samples(&out, &[])
        .success()
        .stderr(predicate::str::contains(
            "near duplicates: 3 clusters of 9 documents",
        ));
    assert_eq!(
        cluster_members(&out),
        [
            vec![
                "harbour-post/norland-bank-holds-rates.txt",
                "metro-daily-wire/norland-rates.html",
                "northwind-herald/norland-rates.txt",
                "the-continental/norland-central-bank.txt"
            ],
            vec![
                "atlas-times/drought-reservoirs.txt",
                "meridian-daily/esterra-reservoirs-record-low.txt",
                "valley-courier/esterra-reservoirs.txt"
            ],
            vec![
                "lakeside-ledger/miners-rescued.html",
                "skyline-post/valmora-miners.html"
            ],
        ]
    );
    let d = duplicates(&out);
    let c = &d["clusters"][0];
    assert_eq!(c["id"], 1);
    assert_eq!(c["canonical"], "harbour-post/norland-bank-holds-rates.txt");
    let trimmed = &c["members"][2];
    assert_eq!(
        trimmed["title"],
        "Norland holds interest rate at 4.25 percent"
    );
    assert!(trimmed["distance"].as_u64().unwrap() > 0);
    assert_eq!(
        trimmed["similarity"], 1.0,
        "a trimmed copy is contained in the full story"
    );
    // The manifest carries fingerprint and cluster.
    let m = manifest(&out);
    let e = entry(&m, "northwind-herald/norland-rates.txt");
    assert_eq!(e["cluster"], 1);
    assert_eq!(e["canonical"], "harbour-post/norland-bank-holds-rates.txt");
    assert_eq!(e["simhash"].as_str().unwrap().len(), 16);
    let lone = entry(&m, "meridian-daily/almond-farmer-esterra.txt");
    assert_eq!(lone["cluster"], Value::Null);
}

#[test]
fn dedup_drop_writes_only_canonical_members() {
    let (_tmp, _, out) = scratch();
    on_samples(&out, &["--dedup", "drop"])
        .success()
        .stderr(predicate::str::contains("6 dropped"));
    let files = tree(&out);
    assert_eq!(files.len(), 26);
    assert!(files.contains_key("harbour-post/norland-bank-holds-rates.txt"));
    assert!(!files.contains_key("northwind-herald/norland-rates.txt"));
    let m = manifest(&out);
    let e = entry(&m, "northwind-herald/norland-rates.txt");
    assert_eq!(e["dropped"], true);
    assert_eq!(e["output"], Value::Null);
    // The review page still diffs the dropped copy: its file went only
    // after the page was written.
    let page = std::fs::read_to_string(out.join(".newsclean/duplicates.html")).unwrap();
    let at = page
        .find(r#"{"input":"northwind-herald/norland-rates.txt""#)
        .expect("the dropped copy is on the page");
    let member: Value = serde_json::Deserializer::from_str(&page[at..])
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    assert!(member["words"].as_u64().unwrap() > 50, "{member}");
    assert!(member["diff"].is_array(), "{member}");
}

#[test]
fn dedup_off_and_thresholds() {
    let (_tmp, _, out) = scratch();
    on_samples(&out, &["--dedup", "off"]).success();
    assert!(!out.join(".newsclean/duplicates.json").exists());
    assert!(manifest(&out)[0].get("simhash").is_none());
    // Demanding near-identity leaves only the copies that are near identical.
    let (_tmp2, _, strict) = scratch();
    on_samples(&strict, &["--min-similarity", "0.999"]).success();
    assert_eq!(
        cluster_members(&strict),
        [
            vec![
                "harbour-post/norland-bank-holds-rates.txt",
                "metro-daily-wire/norland-rates.html",
                "northwind-herald/norland-rates.txt",
                "the-continental/norland-central-bank.txt"
            ],
            vec![
                "lakeside-ledger/miners-rescued.html",
                "skyline-post/valmora-miners.html"
            ],
        ]
    );
    on_samples(&strict, &["--min-similarity", "1.5"]).code(2);
    on_samples(&strict, &["--threshold", "40"]).code(2);
}

#[test]
fn seeds_form_no_cluster_when_present() {
    let seeds = repo().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("skipped: {} not found", seeds.display());
        return;
    }
    let (_tmp, _, out) = scratch();
    newsclean().arg(&seeds).arg(&out).assert().success();
    assert!(
        cluster_members(&out).is_empty(),
        "five different stories on one topic must not cluster"
    );
}

/// A headless Chromium, if one is installed (`CHROMIUM` names another).
fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Opens duplicates.html in a real headless browser (with `#expand`, which
/// opens every cluster) and checks what the page shows after its script ran.
#[test]
fn duplicates_page_in_headless_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no chromium in CI: .ci/run installs Debian's chromium package"
        );
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let (tmp, _, out) = scratch();
    on_samples(&out, &[]).success();
    let page = out.join(".newsclean/duplicates.html");
    let profile = tmp.path().join("profile");
    let run = std::process::Command::new("timeout")
        .arg("120")
        .arg(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}#expand", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&run.stdout);
    assert!(
        dom.contains("3 clusters, 9 documents"),
        "count not shown:\n{dom}"
    );
    // Clusters are open, members listed with the canonical marked.
    assert_eq!(
        dom.matches("data-filled=\"1\" open=\"\"").count(),
        3,
        "every cluster drawn and open"
    );
    assert!(dom.contains("harbour-post/norland-bank-holds-rates.txt (canonical)"));
    assert!(dom.contains("Esterra reservoirs hit record low as drought deepens"));
    // Word-level diffs: a word one outlet added, a paragraph another cut.
    assert!(dom.contains("<ins>on </ins>"), "added word not marked");
    let cut = dom
        .split("<del>")
        .skip(1)
        .any(|d| d.trim_start().starts_with("Unemployment has crept up"));
    assert!(cut, "cut paragraph not marked");
    assert!(dom.contains("unchanged words"), "long runs not folded");
}

/// Copies the given sample files (relative to samples/in) into `dir`.
fn copy_samples(dir: &Path, rels: &[&str]) {
    for rel in rels {
        write(
            dir,
            rel,
            &fs::read(repo().join("samples/in").join(rel)).unwrap(),
        );
    }
}

#[test]
fn index_checks_a_later_batch_against_earlier_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("fingerprints.jsonl");
    let (batch1, batch2) = (tmp.path().join("b1"), tmp.path().join("b2"));
    copy_samples(
        &batch1,
        &[
            "harbour-post/norland-bank-holds-rates.txt",
            "atlas-times/museum-theft.txt",
        ],
    );
    copy_samples(
        &batch2,
        &[
            "northwind-herald/norland-rates.txt",
            "valley-courier/orchard-frost.txt",
        ],
    );
    newsclean()
        .arg(&batch1)
        .arg(tmp.path().join("o1"))
        .arg("--index")
        .arg(&index)
        .assert()
        .success();
    let stored = fs::read_to_string(&index).unwrap();
    assert_eq!(stored.lines().count(), 3, "header and two documents");
    assert!(stored.starts_with("{\"newsclean_index\":1"));
    // The second batch alone has no duplicates; with the index it has one.
    let o2 = tmp.path().join("o2");
    newsclean()
        .arg(&batch2)
        .arg(&o2)
        .arg("--index")
        .arg(&index)
        .args(["--dedup", "drop"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "checked against 2 documents of earlier runs",
        ))
        .stderr(predicate::str::contains("1 dropped"));
    let d = duplicates(&o2);
    assert_eq!(d["clusters"].as_array().unwrap().len(), 1);
    let c = &d["clusters"][0];
    assert_eq!(c["canonical"], "harbour-post/norland-bank-holds-rates.txt");
    assert_eq!(c["members"][0]["earlier"], true);
    assert_eq!(
        c["members"][1]["input"],
        "northwind-herald/norland-rates.txt"
    );
    assert!(c["members"][1].get("earlier").is_none());
    // The later copy of an earlier story is not written again in drop mode.
    assert!(!o2.join("northwind-herald/norland-rates.txt").exists());
    assert!(o2.join("valley-courier/orchard-frost.txt").exists());
    assert_eq!(fs::read_to_string(&index).unwrap().lines().count(), 5);
    // Running the same batch again replaces its entries instead of adding.
    newsclean()
        .arg(&batch2)
        .arg(tmp.path().join("o3"))
        .arg("--index")
        .arg(&index)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&index).unwrap().lines().count(), 5);
}

#[test]
fn a_corrupt_index_is_a_fatal_error_naming_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("idx.jsonl");
    let version = newsclean::dedup::fingerprint::FINGERPRINT_VERSION;
    fs::write(
        &index,
        format!("{{\"newsclean_index\":1,\"fingerprint_version\":{version}}}\nnot json\n"),
    )
    .unwrap();
    newsclean()
        .arg(repo().join("samples/in"))
        .arg(tmp.path().join("out"))
        .arg("--index")
        .arg(&index)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("idx.jsonl:2:"));
    newsclean()
        .arg(repo().join("samples/in"))
        .arg(tmp.path().join("out"))
        .arg("--index")
        .arg(&index)
        .args(["--dedup", "off"])
        .assert()
        .code(2);
}

/// A distinct made-up article (no two share a sentence), with a headline.
fn article(n: usize, headline: &str) -> String {
    const WORDS: [&str; 24] = [
        "council",
        "harbour",
        "ferry",
        "orchard",
        "station",
        "library",
        "budget",
        "bridge",
        "market",
        "school",
        "museum",
        "river",
        "quay",
        "tram",
        "clinic",
        "stadium",
        "garden",
        "depot",
        "archive",
        "canal",
        "theatre",
        "bakery",
        "pier",
        "lighthouse",
    ];
    let mut seed = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut paras = Vec::new();
    for p in 0..4 {
        let words: Vec<&str> = (0..22).map(|_| WORDS[(next() % 24) as usize]).collect();
        paras.push(format!("Report {n}.{p}: the {} said.", words.join(" ")));
    }
    format!("{headline}\n\n{}\n", paras.join("\n\n"))
}

const FOOTER: &str = "Tell the Gazette reader desk what you make of this story and our coverage.";

/// Runs newsclean on `inp` into `out`, writing the learned residue to
/// `out/learned.tsv`, and checks that it learned one line: the file's
/// path and the run, for more checks.
fn run_learning(inp: &Path, out: &Path) -> (PathBuf, assert_cmd::assert::Assert) {
    let learned = out.join("learned.tsv");
    let run = newsclean()
        .arg(inp)
        .arg(out)
        .arg("--learned-residue")
        .arg(&learned)
        .assert()
        .success()
        .stderr(predicate::str::contains("learned residue: 1 lines"));
    (learned, run)
}

/// Twenty different stories of one site, each ending with its [`FOOTER`].
fn gazette_pages_with_footer(inp: &Path) {
    for n in 0..20 {
        let page = format!("{}\n{FOOTER}\n", article(n, &format!("Gazette story {n}")));
        write(inp, &format!("gazette/story-{n:02}.txt"), page.as_bytes());
    }
}

#[test]
fn site_footer_across_unrelated_pages_is_learned_and_removed() {
    let (_tmp, inp, out) = scratch();
    gazette_pages_with_footer(&inp);
    let (learned, run) = run_learning(&inp, &out);
    run.stderr(predicate::str::contains("corpus 20"));
    for n in 0..20 {
        let text = fs::read_to_string(out.join(format!("gazette/story-{n:02}.txt"))).unwrap();
        assert!(
            !text.contains("Gazette reader desk"),
            "footer left in story {n}"
        );
        assert!(
            text.contains(&format!("Report {n}.3:")),
            "body cut in story {n}"
        );
    }
    let e = &manifest(&out)[0];
    let r = e["removed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["stage"] == "corpus")
        .unwrap();
    assert_eq!(r["text"], FOOTER);
    assert_eq!(
        r["reason"],
        "repeated on 20 pages of this site (20 different stories)"
    );
    let tsv = fs::read_to_string(&learned).unwrap();
    assert!(tsv.contains("gazette\t20\t20\t20\t"), "{tsv}");
    assert!(tsv.contains(&format!("\t{FOOTER}\n")), "{tsv}");
    // A later run loads the learned lines; explain shows them.
    write(
        &inp,
        "later/gazette/story-99.txt",
        format!("{}\n{FOOTER}\n", article(99, "Later story")).as_bytes(),
    );
    newsclean()
        .arg("explain")
        .arg(inp.join("later/gazette/story-99.txt"))
        .arg("--load-residue")
        .arg(&learned)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[corpus] repeated on 20 pages of this site",
        ));
}

/// A table loaded from an earlier run applies with learning switched off
/// (`--disable corpus`): the run keeps each document's lines to find those
/// that hold a loaded line, though it learns nothing itself.
#[test]
fn loaded_residue_applies_without_learning() {
    let (_tmp, inp, out) = scratch();
    gazette_pages_with_footer(&inp);
    let (learned, _) = run_learning(&inp, &out);
    let (_tmp2, inp2, out2) = scratch();
    let page = format!("{}\n{FOOTER}\n", article(99, "Later story"));
    write(&inp2, "gazette/story-99.txt", page.as_bytes());
    write(
        &inp2,
        "gazette/story-98.txt",
        article(98, "Other story").as_bytes(),
    );
    newsclean()
        .arg(&inp2)
        .arg(&out2)
        .arg("--disable")
        .arg("corpus")
        .arg("--load-residue")
        .arg(&learned)
        .assert()
        .success();
    let text = fs::read_to_string(out2.join("gazette/story-99.txt")).unwrap();
    assert!(!text.contains("Gazette reader desk"), "{text}");
    assert!(text.contains("Report 99.3:"), "{text}");
    let e = manifest(&out2)
        .into_iter()
        .find(|e| e["input"] == "gazette/story-99.txt")
        .unwrap();
    assert!(
        e["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["stage"] == "corpus" && r["text"] == FOOTER),
        "{e}"
    );
}

/// A learned line's text, which the run does not keep, comes from a
/// document cleaned again: for JSON Lines, from its line read again from
/// the input file (plain) or from the scratch file (gzipped).
#[test]
fn learned_text_of_json_lines_comes_from_the_line_read_again() {
    use std::io::Write;
    let pages: String = (0..20)
        .map(|n| {
            let page = format!("{}\n{FOOTER}\n", article(n, &format!("Gazette story {n}")));
            format!(
                "{}\n",
                serde_json::json!({"id": format!("g{n}"), "text": page})
            )
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(pages.as_bytes()).unwrap();
    let gzipped = gz.finish().unwrap();
    for (name, bytes) in [
        ("gazette/pages.jsonl", pages.as_bytes()),
        ("gazette/pages.jsonl.gz", &gzipped[..]),
    ] {
        let (_tmp, inp, out) = scratch();
        write(&inp, name, bytes);
        let (learned, _) = run_learning(&inp, &out);
        let tsv = fs::read_to_string(&learned).unwrap();
        assert!(tsv.contains("gazette\t20\t20\t20\t"), "{name}: {tsv}");
        assert!(tsv.ends_with(&format!("\t{FOOTER}\n")), "{name}: {tsv}");
        let cleaned = fs::read_to_string(out.join("gazette/pages.jsonl")).unwrap();
        assert!(!cleaned.contains("Gazette reader desk"), "{name}");
    }
}

#[test]
fn wire_story_republished_by_ten_outlets_is_untouched() {
    let (_tmp, inp, out) = scratch();
    let wire = fs::read_to_string(
        repo().join("samples/expected/harbour-post/norland-bank-holds-rates.txt"),
    )
    .unwrap();
    let body: Vec<&str> = wire.split("\n\n").skip(1).map(str::trim).collect();
    for n in 0..10 {
        let page = format!(
            "Outlet {n} headline on the rate decision\n\n{}\n",
            body.join("\n\n")
        );
        // ten outlets (sites), and an aggregator holding all ten copies
        write(&inp, &format!("outlet-{n}/rates.txt"), page.as_bytes());
        write(&inp, &format!("aggregator/copy-{n}.txt"), page.as_bytes());
    }
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("learned residue").not());
    for (name, text) in tree(&out) {
        let text = String::from_utf8(text).unwrap();
        for para in &body {
            assert!(text.contains(para), "{name} lost: {para}");
        }
    }
    for e in manifest(&out) {
        assert!(e["removed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["stage"] != "corpus"));
    }
    // Nothing learned, nothing changed: dedup reuses the clusters made while
    // learning. They must be the clusters a run without learning makes.
    let members = cluster_members(&out);
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].len(), 20);
    let out2 = out.with_file_name("out-no-corpus");
    newsclean()
        .arg(&inp)
        .arg(&out2)
        .args(["--disable", "corpus"])
        .assert()
        .success();
    assert_eq!(duplicates(&out), duplicates(&out2));
}

#[test]
fn headline_shared_by_two_different_stories_is_kept() {
    let (_tmp, inp, out) = scratch();
    write(
        &inp,
        "site/a.txt",
        article(1, "Council meeting tonight").as_bytes(),
    );
    write(
        &inp,
        "site/b.txt",
        article(2, "Council meeting tonight").as_bytes(),
    );
    for n in 3..8 {
        write(
            &inp,
            &format!("site/other-{n}.txt"),
            article(n, &format!("Other story {n}")).as_bytes(),
        );
    }
    newsclean().arg(&inp).arg(&out).assert().success();
    for f in ["site/a.txt", "site/b.txt"] {
        let text = fs::read_to_string(out.join(f)).unwrap();
        assert!(
            text.starts_with("Council meeting tonight\n\n"),
            "{f}: {text}"
        );
    }
}

#[test]
fn html_pages_give_metadata_and_explain_their_removals() {
    let (_tmp, _, out) = scratch();
    on_samples(&out, &[]).success();
    let m = manifest(&out);
    let e = entry(&m, "lakeside-ledger/tram-extension.html");
    assert_eq!(e["output"], "lakeside-ledger/tram-extension.txt");
    assert_eq!(
        e["title"],
        "Tram line extension approved after decade of delay"
    );
    assert_eq!(e["author"], "Maren Solberg");
    assert_eq!(e["date"], "2025-04-09");
    assert_eq!(e["site_name"], "Lakeside Ledger");
    assert_eq!(
        e["canonical_url"],
        "https://lakesideledger.example/tram-extension/"
    );
    assert_eq!(e["language"], "en-US");
    assert!(e["container"].as_str().unwrap().starts_with("div"));
    let html_reasons: Vec<&str> = e["removed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "html")
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        html_reasons.iter().any(|r| r.contains("\"comments\"")),
        "{html_reasons:?}"
    );
    assert!(
        html_reasons.iter().any(|r| r.contains("\"cookie\"")),
        "{html_reasons:?}"
    );
    // A page in Windows-1252 declared by http-equiv, and one declaring the
    // wrong charset, both decode right.
    let fen = entry(&m, "fenland-gazette/bakery-closes.htm");
    assert_eq!(fen["encoding"], "windows-1252");
    let robots = fs::read_to_string(out.join("skyline-post/robot-porters.txt")).unwrap();
    assert!(robots.contains("“That is time we can spend with patients,”"));
    newsclean()
        .arg("explain")
        .arg(repo().join("samples/in/metro-daily-wire/storm-power-cuts.html"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[html] element div.newsletter-box",
        ))
        .stdout(predicate::str::contains("# article found in: div.story"))
        .stdout(predicate::str::contains(
            "H    1 | Storm cuts power to 40,000 homes along the coast",
        ));
}

// ---------------------------------------------------------------- pipelines

/// A JSON Lines corpus of `n` documents built from the text samples (each
/// used many times, with a distinct id and an extra field).
fn jsonl_corpus(n: usize) -> String {
    let texts: Vec<String> = tree(&repo().join("samples/in"))
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".html") && !name.ends_with(".htm"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let mut s = String::new();
    for i in 0..n {
        let v =
            serde_json::json!({"id": format!("d{i:05}"), "text": texts[i % texts.len()], "n": i});
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn jsonl_of_ten_thousand_documents_round_trips_in_order() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "batch/corpus.jsonl", jsonl_corpus(10_000).as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--dedup", "off", "--disable", "corpus", "-q"])
        .assert()
        .success();
    let rows = read_jsonl(&out.join("batch/corpus.jsonl"));
    assert_eq!(rows.len(), 10_000);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["id"], format!("d{i:05}"));
        assert_eq!(r["n"], i);
    }
    // text cleaned, findings added
    assert!(!rows[0]["text"].as_str().unwrap().is_empty());
    assert!(
        rows[0]["metadata"]["newsclean"]["removed"]
            .as_u64()
            .unwrap()
            > 0
    );
    let m = manifest(&out);
    assert_eq!(m.len(), 10_000);
    assert_eq!(m[7]["input"], "batch/corpus.jsonl");
    // in input order, across the chunks they are read back in
    for (i, e) in m.iter().enumerate() {
        assert_eq!(e["id"], format!("d{i:05}"));
    }
}

#[test]
fn jsonl_bad_lines_are_reported_and_the_rest_goes_on() {
    let (_tmp, inp, out) = scratch();
    let mut src = jsonl_corpus(3);
    src.push_str("{not json\n{\"id\": \"no-text\"}\n");
    src.push_str(&jsonl_corpus(1).replace("d00000", "last"));
    write(&inp, "c.jsonl", src.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("c.jsonl:4: invalid JSON"))
        .stderr(predicate::str::contains("c.jsonl:5: no \"text\" field"));
    let ids: Vec<String> = read_jsonl(&out.join("c.jsonl"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["d00000", "d00001", "d00002", "last"]);
}

/// JSON Lines files stream through line by line: --max-bytes bounds a
/// line, not the file, and a line over it is reported and skipped.
#[test]
fn jsonl_streams_and_max_bytes_bounds_each_line() {
    let (_tmp, inp, out) = scratch();
    let mut src = jsonl_corpus(3);
    let long = format!(
        "{{\"id\": \"long\", \"text\": \"{}\"}}\n",
        "word ".repeat(2000)
    );
    src.push_str(&long);
    src.push_str(&jsonl_corpus(1).replace("d00000", "last"));
    assert!(src.len() > 9_000);
    write(&inp, "c.jsonl", src.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--max-bytes", "5000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("c.jsonl:4: line too long"));
    let ids: Vec<String> = read_jsonl(&out.join("c.jsonl"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["d00000", "d00001", "d00002", "last"]);
    let m = manifest(&out);
    let failed: Vec<_> = m.iter().filter(|e| e["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["line"], 4);
}

#[test]
fn jsonl_duplicates_carry_cluster_and_canonical_id() {
    let (_tmp, inp, out) = scratch();
    let wire = |name: &str| fs::read_to_string(repo().join("samples/in").join(name)).unwrap();
    let mut s = String::new();
    for (id, name) in [
        ("a", "harbour-post/norland-bank-holds-rates.txt"),
        ("b", "atlas-times/museum-theft.txt"),
        ("c", "northwind-herald/norland-rates.txt"),
    ] {
        s.push_str(&serde_json::json!({"id": id, "text": wire(name)}).to_string());
        s.push('\n');
    }
    write(&inp, "w.jsonl", s.as_bytes());
    newsclean().arg(&inp).arg(&out).assert().success();
    let rows = read_jsonl(&out.join("w.jsonl"));
    assert_eq!(rows[2]["metadata"]["newsclean"]["cluster"], 1);
    assert_eq!(rows[2]["metadata"]["newsclean"]["canonical"], "a");
    assert_eq!(rows[1]["metadata"]["newsclean"]["cluster"], Value::Null);
    let d = duplicates(&out);
    assert_eq!(d["clusters"][0]["canonical"], "w.jsonl#a");
    assert_eq!(d["clusters"][0]["members"][1]["id"], "c");
    // drop mode leaves the duplicate line out
    let (_tmp2, _, out2) = scratch();
    newsclean()
        .arg(&inp)
        .arg(&out2)
        .args(["--dedup", "drop"])
        .assert()
        .success();
    let ids: Vec<Value> = read_jsonl(&out2.join("w.jsonl"))
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn jsonl_residue_is_learned_and_removed_from_plain_and_gzipped_files() {
    use std::io::Write as _;
    let (_tmp, inp, out) = scratch();
    let mut lines = String::new();
    for n in 0..20 {
        let text = format!("{}\n{FOOTER}\n", article(n, &format!("Gazette story {n}")));
        let url = format!("https://www.gazette.example/news/{n}");
        lines.push_str(
            &serde_json::json!({"id": format!("g{n:02}"), "url": url, "text": text}).to_string(),
        );
        // blank lines and CRLF endings between some documents
        lines.push_str(if n % 5 == 0 { "\r\n\n" } else { "\n" });
    }
    // The plain file's lines are read again from the file for the second
    // pass; the gzipped file's from the spill file.
    write(&inp, "plain.jsonl", lines.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.as_bytes()).unwrap();
    write(&inp, "packed.jsonl.gz", &gz.finish().unwrap());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--dedup", "off"])
        .assert()
        .success()
        .stderr(predicate::str::contains("learned residue: 1 lines"))
        .stderr(predicate::str::contains("cannot read again").not());
    for name in ["plain.jsonl", "packed.jsonl"] {
        let rows = read_jsonl(&out.join(name));
        assert_eq!(rows.len(), 20);
        for (n, r) in rows.iter().enumerate() {
            assert_eq!(r["id"], format!("g{n:02}"));
            let text = r["text"].as_str().unwrap();
            assert!(
                !text.contains("Gazette reader desk"),
                "{name} {n}: footer left"
            );
            assert!(
                text.contains(&format!("Report {n}.3:")),
                "{name} {n}: body cut"
            );
        }
    }
}

#[test]
fn jsonl_gzip_html_field_and_format_choices() {
    use std::io::Write as _;
    let (_tmp, inp, out) = scratch();
    let page = fs::read_to_string(repo().join("samples/in/metro-daily-wire/storm-power-cuts.html"))
        .unwrap();
    let line = serde_json::json!({"id": "p1", "html": page, "text": "raw"}).to_string() + "\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(line.as_bytes()).unwrap();
    write(&inp, "pages.jsonl.gz", &gz.finish().unwrap());
    write(&inp, "story.txt", ARTICLE.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--html-field", "html", "--format", "jsonl"])
        .assert()
        .success();
    let rows = read_jsonl(&out.join("pages.jsonl"));
    assert!(rows[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Storm cuts power to 40,000 homes"));
    assert_eq!(
        rows[0]["html"].as_str().unwrap(),
        page,
        "other fields are kept"
    );
    // a text file written as JSON Lines
    let story = read_jsonl(&out.join("story.jsonl"));
    assert_eq!(story[0]["id"], "story.txt");
    assert_eq!(story[0]["text"], ARTICLE_CLEAN);
    // and JSON Lines written as text files, one per document
    let (_tmp2, _, out2) = scratch();
    newsclean()
        .arg(&inp)
        .arg(&out2)
        .args(["--html-field", "html", "--format", "text"])
        .assert()
        .success();
    let text = fs::read_to_string(out2.join("pages/000001.txt")).unwrap();
    assert!(text.starts_with("Storm cuts power"));
}

#[test]
fn streams_stdin_to_stdout() {
    newsclean()
        .args(["-", "-"])
        .write_stdin(ARTICLE)
        .assert()
        .success()
        .stdout(ARTICLE_CLEAN);
    let page = fs::read_to_string(repo().join("samples/in/metro-daily-wire/storm-power-cuts.html"))
        .unwrap();
    newsclean()
        .args(["-", "-"])
        .write_stdin(page)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Storm cuts power to 40,000 homes along the coast\n\n",
        ));
    let out = newsclean()
        .args(["--format", "jsonl", "-", "-"])
        .write_stdin(jsonl_corpus(3) + "oops\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("<stdin>:4: invalid JSON"))
        .get_output()
        .stdout
        .clone();
    let rows: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["id"], "d00002");
    assert_eq!(
        rows[0]["metadata"]["newsclean"]["simhash"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    newsclean()
        .args(["-", "out"])
        .write_stdin("x")
        .assert()
        .code(2);
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    let (_tmp, inp, _) = scratch();
    write(&inp, "big.jsonl", jsonl_corpus(5_000).as_bytes());
    let bin = assert_cmd::cargo::cargo_bin("newsclean");
    let run = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' --format jsonl - - < '{}' | head -n 2 > /dev/null; echo \"status ${{PIPESTATUS[0]}}\"",
            bin.display(),
            inp.join("big.jsonl").display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("status 0"),
        "{stderr}"
    );
}

#[test]
fn configuration_file_and_flags() {
    let (tmp, inp, out) = scratch();
    write(
        &inp,
        "valley/a.txt",
        format!("{ARTICLE_CLEAN}\nOur town, our paper!\n").as_bytes(),
    );
    write(
        &inp,
        "other/b.txt",
        format!("{ARTICLE_CLEAN}\nOur town, our paper!\n").as_bytes(),
    );
    let conf = tmp.path().join("newsclean.toml");
    fs::write(
        &conf,
        "[dedup]\nmode = \"off\"\n[sites.valley]\nphrases = [\"OUR TOWN, OUR PAPER\"]\n[residue]\npatterns = ['Residents said .*']\n",
    )
    .unwrap();
    // newsclean.toml in the current folder is read
    newsclean()
        .current_dir(tmp.path())
        .arg(&inp)
        .arg(&out)
        .assert()
        .success();
    let a = fs::read_to_string(out.join("valley/a.txt")).unwrap();
    let b = fs::read_to_string(out.join("other/b.txt")).unwrap();
    assert!(
        !a.contains("Our town") && b.contains("Our town"),
        "site phrase on its site only"
    );
    assert!(!a.contains("Residents said"), "global pattern");
    assert!(
        !out.join(".newsclean/duplicates.json").exists(),
        "dedup off from the file"
    );
    let r = &manifest(&out)[1]["removed"];
    assert!(r.as_array().unwrap().iter().any(|r| r["stage"] == "custom"));
    // a flag wins over the file
    let (_tmp2, _, out2) = scratch();
    newsclean()
        .current_dir(tmp.path())
        .arg(&inp)
        .arg(&out2)
        .args(["--dedup", "mark"])
        .assert()
        .success();
    assert!(out2.join(".newsclean/duplicates.json").exists());
    // `newsclean config` prints the effective configuration
    newsclean()
        .arg("config")
        .arg("--config")
        .arg(&conf)
        .assert()
        .success()
        .stdout(predicate::str::contains("mode = \"off\""))
        .stdout(predicate::str::contains("min_similarity = 0.65"));
    // a bad file: an error with the line
    fs::write(&conf, "jobs = 2\n[dedup]\nthreshhold = 4\n").unwrap();
    newsclean()
        .current_dir(tmp.path())
        .arg(&inp)
        .arg(tmp.path().join("o3"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3"));
}

#[test]
fn quiet_verbose_and_json_summary() {
    let (_tmp, inp, out) = scratch();
    write(&inp, "a.txt", ARTICLE.as_bytes());
    newsclean()
        .arg(&inp)
        .arg(&out)
        .arg("-q")
        .assert()
        .success()
        .stderr("");
    let (_tmp2, _, out2) = scratch();
    newsclean()
        .arg(&inp)
        .arg(&out2)
        .arg("-v")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "a.txt:3: [byline] byline: By Jane Doe",
        ));
    let (_tmp3, _, out3) = scratch();
    let o = newsclean()
        .arg(&inp)
        .arg(&out3)
        .arg("--json")
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let stdout = String::from_utf8(o.get_output().stdout.clone()).unwrap();
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["written"], 1);
    assert_eq!(v["removed_by_stage"]["byline"], 2);
    let stderr = String::from_utf8(o.get_output().stderr.clone()).unwrap();
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "no colours or bar off a terminal"
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        newsclean()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("newsclean"))
            .stdout(predicate::str::contains("min-similarity"));
    }
    newsclean()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH newsclean"))
        .stdout(predicate::str::contains("html\\-field"));
}

/// Under a pseudo-terminal (util-linux `script`), the progress bar is drawn
/// on stderr; `-q` removes it. Skipped where `script` is missing.
#[cfg(unix)]
#[test]
fn progress_bar_only_on_a_terminal() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok();
    if !has_script {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    }
    let (tmp, inp, _) = scratch();
    for i in 0..20 {
        write(&inp, &format!("f{i}.txt"), ARTICLE.as_bytes());
    }
    let bin = assert_cmd::cargo::cargo_bin("newsclean");
    let under_tty = |args: &str, out: &str| {
        let cmd = format!(
            "'{}' {args} '{}' '{}'",
            bin.display(),
            inp.display(),
            tmp.path().join(out).display()
        );
        let o = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = under_tty("", "o1");
    assert!(
        shown.contains("files [") && shown.contains("ETA"),
        "{shown:?}"
    );
    let quiet = under_tty("-q", "o2");
    assert!(!quiet.contains("ETA"), "{quiet:?}");
}

/// Outputs written during the first pass are handed to the disk early (a
/// sync on a thread of its own, while the run clusters and reports); a
/// run whose outputs all wait for the end (JSON Lines) has nothing to hand
/// over and starts none, which would only write its scratch file to disk.
/// Both come out whole either way.
#[test]
fn outputs_written_early_are_synced_early_and_only_then() {
    let (_tmp, input, out) = scratch();
    write(&input, "a.txt", ARTICLE.as_bytes());
    let run = |input: &Path, out: &Path| {
        let o = newsclean()
            .env("NEWSCLEAN_TRACE", "1")
            .args(["-q", input.to_str().unwrap(), out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stderr).unwrap()
    };
    let traced = run(&input, &out);
    assert!(
        traced.contains("early sync of the outputs started"),
        "{traced}"
    );
    assert_eq!(
        fs::read_to_string(out.join("a.txt")).unwrap(),
        ARTICLE_CLEAN
    );

    let jsonl = input.parent().unwrap().join("jsonl");
    let line = serde_json::json!({"id": "a", "text": ARTICLE}).to_string();
    write(&jsonl, "docs.jsonl", format!("{line}\n").as_bytes());
    let out2 = input.parent().unwrap().join("out2");
    let traced = run(&jsonl, &out2);
    assert!(!traced.contains("early sync"), "{traced}");
    let written = fs::read_to_string(out2.join("docs.jsonl")).unwrap();
    let v: Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(v["text"], ARTICLE_CLEAN);
}
