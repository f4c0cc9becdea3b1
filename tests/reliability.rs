//! Reliability: bad input, faults and interruptions lose nothing.
//!
//! Every input is built at run time in a temporary folder. Each scenario
//! checks the message (one line, naming the file), that the rest of the run
//! goes on, the summary, the exit code, and that nothing under INPUT was
//! created, changed or deleted (a digest of the whole tree before and after).

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use predicates::prelude::*;

const BODY: &str = "The council voted on Tuesday to close the old bridge to lorries after engineers warned that its supports were failing.";

fn article(n: usize) -> String {
    format!("Bridge story {n}\n\nBy Jane Doe\n\n{BODY} Report {n} adds that the detour is four miles long.\n\nAdvertisement\n")
}

/// Runs newsclean on `inp` and checks INPUT was left alone.
fn run_checked(inp: &Path, out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let before = fingerprint_tree(inp);
    let a = newsclean().arg(inp).arg(out).args(args).assert();
    assert_eq!(fingerprint_tree(inp), before, "INPUT was modified");
    a
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Every stderr line naming `needle` is one line with the file's name.
fn one_line_naming(stderr: &str, needle: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.starts_with("newsclean: ") && l.contains(needle))
}

#[test]
fn encodings_are_decoded_not_failed() {
    let (_t, inp, out) = scratch();
    let body = "Caf\u{e9} owners said the \u{201c}new rules\u{201d} would cost them a lot, the council\u{2019}s report found.";
    // invalid UTF-8 in the middle of a file
    let mut bad = body.as_bytes().to_vec();
    bad.insert(20, 0xFF);
    write(&inp, "bad-utf8.txt", &bad);
    // Windows-1252 with smart quotes
    let cp: Vec<u8> = body
        .chars()
        .map(|c| match c {
            '\u{e9}' => 0xE9,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2019}' => 0x92,
            c => c as u8,
        })
        .collect();
    write(&inp, "cp1252.txt", &cp);
    // ISO-8859-1 (no smart quotes)
    let latin =
        "Le caf\u{e9} de la gare a ferm\u{e9} ses portes apr\u{e8}s trente ans, a dit le maire.";
    write(
        &inp,
        "latin1.txt",
        &latin.chars().map(|c| c as u8).collect::<Vec<u8>>(),
    );
    let mut le = vec![0xFF, 0xFE];
    le.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    write(&inp, "utf16le.txt", &le);
    let mut be = vec![0xFE, 0xFF];
    be.extend(body.encode_utf16().flat_map(u16::to_be_bytes));
    write(&inp, "utf16be.txt", &be);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(body.as_bytes());
    write(&inp, "bom.txt", &bom);
    let a = run_checked(&inp, &out, &[]).success();
    let err = stderr_of(&a);
    assert!(
        one_line_naming(&err, "bad-utf8.txt: warning: invalid UTF-8 bytes replaced"),
        "{err}"
    );
    assert!(err.contains("6 read, 6 written"), "{err}");
    for f in ["cp1252.txt", "utf16le.txt", "utf16be.txt", "bom.txt"] {
        assert_eq!(
            fs::read_to_string(out.join(f)).unwrap(),
            format!("{body}\n"),
            "{f}"
        );
    }
    assert_eq!(
        fs::read_to_string(out.join("latin1.txt")).unwrap(),
        format!("{latin}\n")
    );
    assert!(fs::read_to_string(out.join("bad-utf8.txt"))
        .unwrap()
        .contains("\u{fffd}"));
    let m = manifest(&out);
    assert_eq!(m[0]["replaced_bytes"], true);
}

#[test]
fn binary_empty_whitespace_and_all_residue() {
    let (_t, inp, out) = scratch();
    write(&inp, "binary.txt", b"PK\x03\x04\x00\x00\x14\x00");
    write(&inp, "empty.txt", b"");
    write(&inp, "blank.txt", b"   \n\t\n\xc2\xa0\n");
    write(
        &inp,
        "residue.txt",
        b"Skip to content\nHome | News | Sport | Weather\nAdvertisement\n------\n",
    );
    write(&inp, "good.txt", article(1).as_bytes());
    let a = run_checked(&inp, &out, &[]).success();
    let err = stderr_of(&a);
    assert!(
        one_line_naming(&err, "binary.txt: skipped: binary file"),
        "{err}"
    );
    assert!(err.contains("4 written (3 empty), 1 skipped"), "{err}");
    for f in ["empty.txt", "blank.txt", "residue.txt"] {
        assert_eq!(fs::read(out.join(f)).unwrap(), b"", "{f}");
    }
    let m = manifest(&out);
    let flagged: Vec<&str> = m
        .iter()
        .filter(|e| e["empty"] == true)
        .map(|e| e["input"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["blank.txt", "empty.txt", "residue.txt"]);
}

#[test]
fn a_50_mb_line_and_a_1_gb_file() {
    let (_t, inp, out) = scratch();
    let sentence = "The council met again on Tuesday evening and voted once more on the bridge. ";
    let line = sentence.repeat(50 * 1024 * 1024 / sentence.len());
    write(
        &inp,
        "long-line.txt",
        format!("Headline\n\n{line}\n").as_bytes(),
    );
    // A sparse 1 GB file: over the size limit, never read.
    let big = inp.join("huge.txt");
    fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    write(&inp, "good.txt", article(1).as_bytes());
    let start = Instant::now();
    let a = run_checked(&inp, &out, &[]).code(1);
    let err = stderr_of(&a);
    assert!(
        one_line_naming(&err, "huge.txt: too large: 1073741824 bytes"),
        "{err}"
    );
    assert!(
        err.contains("2 written") && err.contains("1 failed"),
        "{err}"
    );
    let long = fs::read_to_string(out.join("long-line.txt")).unwrap();
    assert!(long.len() > 50_000_000);
    assert!(out.join("good.txt").exists());
    assert!(start.elapsed() < Duration::from_secs(600));
}

#[test]
fn a_hundred_thousand_small_files() {
    let (_t, inp, out) = scratch();
    for d in 0..100 {
        let dir = inp.join(format!("site-{d:03}"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            fs::write(
                dir.join(format!("{f:04}.txt")),
                format!("Note {d}-{f}\n\nShort note number {f} of folder {d}.\n"),
            )
            .unwrap();
        }
    }
    let a = newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["--dedup", "off", "--disable", "corpus"])
        .timeout(Duration::from_secs(900))
        .assert()
        .success();
    assert!(
        stderr_of(&a).contains("100000 read, 100000 written"),
        "{}",
        stderr_of(&a)
    );
    assert_eq!(manifest(&out).len(), 100_000);
    assert_eq!(
        fs::read_to_string(out.join("site-042/0999.txt")).unwrap(),
        "Note 42-999\n\nShort note number 999 of folder 42.\n"
    );
}

#[test]
fn deep_folders_and_odd_names() {
    let (_t, inp, out) = scratch();
    let mut deep = inp.clone();
    for _ in 0..500 {
        deep.push("d");
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("bottom.txt"), article(1)).unwrap();
    fs::write(inp.join("a name with spaces.txt"), article(2)).unwrap();
    fs::write(inp.join("new\nline.txt"), article(3)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9-latin1-name.txt");
        fs::write(inp.join(name), article(4)).unwrap();
    }
    let a = run_checked(&inp, &out, &[]).success();
    assert!(
        stderr_of(&a).contains("4 read, 4 written") || stderr_of(&a).contains("3 read, 3 written")
    );
    let mut deep_out = out.clone();
    for _ in 0..500 {
        deep_out.push("d");
    }
    assert!(deep_out.join("bottom.txt").exists());
    assert!(out.join("a name with spaces.txt").exists());
    assert!(out.join("new\nline.txt").exists());
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9-latin1-name.txt");
        assert!(out.join(name).exists(), "non-UTF-8 name kept byte for byte");
        // the manifest names it readably
        let m = fs::read_to_string(out.join(".newsclean/manifest.jsonl")).unwrap();
        assert!(m.contains("caf\u{fffd}-latin1-name.txt"));
    }
}

#[cfg(unix)]
#[test]
fn links_loops_and_unreadable_files() {
    let (_t, inp, out) = scratch();
    write(&inp, "good.txt", article(1).as_bytes());
    std::os::unix::fs::symlink(inp.join("loop-b.txt"), inp.join("loop-a.txt")).unwrap();
    std::os::unix::fs::symlink(inp.join("loop-a.txt"), inp.join("loop-b.txt")).unwrap();
    std::os::unix::fs::symlink(inp.join("gone.txt"), inp.join("broken.txt")).unwrap();
    // a folder linked to its parent: never followed, so never a loop
    std::os::unix::fs::symlink(&inp, inp.join("self-link")).unwrap();
    let a = run_checked(&inp, &out, &[]).code(1);
    let err = stderr_of(&a);
    assert!(one_line_naming(&err, "loop-a.txt"), "{err}");
    assert!(one_line_naming(&err, "broken.txt"), "{err}");
    assert!(out.join("good.txt").exists());
}

/// chmod 000 stops only a user who is not root: as root, the run is made as
/// `nobody` (uid 65534) with setpriv.
#[cfg(unix)]
#[test]
fn an_unreadable_file_fails_alone() {
    use std::os::unix::fs::PermissionsExt;
    let root = unsafe_is_root();
    if root
        && std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipped: root without setpriv");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let inp = tmp.path().join("in");
    let out = tmp.path().join("out");
    write(&inp, "good.txt", article(1).as_bytes());
    write(&inp, "secret.txt", article(2).as_bytes());
    fs::set_permissions(&inp, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(inp.join("good.txt"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(inp.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("newsclean");
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    let o = cmd.arg(&inp).arg(&out).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        one_line_naming(&err, "secret.txt: cannot read: Permission denied"),
        "{err}"
    );
    assert!(out.join("good.txt").exists());
}

fn unsafe_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn files_deleted_during_the_run() {
    let (_t, inp, out) = scratch();
    for i in 0..3000 {
        write(&inp, &format!("f{i:04}.txt"), article(i).as_bytes());
    }
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsclean"))
        .arg(&inp)
        .arg(&out)
        .args(["-j", "1", "--dedup", "off", "--disable", "corpus"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // delete the second half while it runs
    for i in (1500..3000).rev() {
        let _ = fs::remove_file(inp.join(format!("f{i:04}.txt")));
    }
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // every document the manifest calls written is there, complete
    for e in manifest(&out) {
        if e["status"] == "written" {
            let text = fs::read_to_string(out.join(e["output"].as_str().unwrap())).unwrap();
            assert!(text.ends_with("miles long.\n"), "{text}");
        } else {
            assert_eq!(e["status"], "failed");
            assert!(one_line_naming(&err, e["input"].as_str().unwrap()), "{err}");
        }
    }
}

#[test]
fn output_problems() {
    let (t, inp, _) = scratch();
    write(&inp, "a.txt", article(1).as_bytes());
    // not writable (a place nobody can create a folder in)
    newsclean()
        .arg(&inp)
        .arg("/proc/newsclean-cannot-write-here")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/proc/newsclean-cannot-write-here",
        ));
    // the disk filling up: writes fail after the first two
    for i in 2..6 {
        write(&inp, &format!("m{i}.txt"), article(i).as_bytes());
    }
    let out = t.path().join("full");
    let before = fingerprint_tree(&inp);
    let o = newsclean()
        .arg(&inp)
        .arg(&out)
        .args(["-j", "1", "--dedup", "off", "--disable", "corpus"])
        .env("NEWSCLEAN_FAIL_WRITES_AFTER", "2")
        .assert()
        .failure();
    let err = stderr_of(&o);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("m") && l.contains(".txt: cannot write")),
        "{err}"
    );
    assert_eq!(fingerprint_tree(&inp), before);
    // no temporary file left behind, and every file there is complete
    for e in walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "temp file left: {name}");
        if e.file_type().is_file() && name.ends_with(".txt") {
            assert!(fs::read_to_string(e.path())
                .unwrap()
                .ends_with("miles long.\n"));
        }
    }
}

/// A JSON Lines output written at the end (with its clusters) fails: the
/// manifest, written beside it on the guess that it would not, is written
/// again and says which documents have no output; the other output and
/// the reports are whole.
#[test]
fn a_deferred_output_that_cannot_be_written() {
    let (_t, inp, out) = scratch();
    let line = |n: usize, text: &str| {
        serde_json::json!({"id": format!("d{n}"), "text": text}).to_string() + "\n"
    };
    // a story in both files (a cluster across them), one of its own each
    let shared = article(1);
    let a = line(1, &shared) + &line(2, &article(2));
    let b = line(3, &shared) + &line(4, &article(4));
    write(&inp, "a.jsonl", a.as_bytes());
    write(&inp, "b.jsonl", b.as_bytes());
    for jobs in ["1", "2"] {
        let _ = fs::remove_dir_all(&out);
        let before = fingerprint_tree(&inp);
        let o = newsclean()
            .arg(&inp)
            .arg(&out)
            .args(["-j", jobs])
            .env("NEWSCLEAN_FAIL_WRITES_TO", "b.jsonl")
            .assert()
            .code(1);
        assert_eq!(fingerprint_tree(&inp), before);
        let err = stderr_of(&o);
        assert!(one_line_naming(&err, "b.jsonl: No space left"), "{err}");
        assert!(err.contains("4 read, 2 written"), "{err}");
        assert!(!out.join("b.jsonl").exists());
        assert_eq!(
            fs::read_to_string(out.join("a.jsonl"))
                .unwrap()
                .lines()
                .count(),
            2
        );
        let m: Vec<serde_json::Value> = fs::read_to_string(out.join(".newsclean/manifest.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(m.len(), 4);
        for e in &m {
            let failed = e["input"] == "b.jsonl";
            assert_eq!(
                e["status"],
                if failed { "failed" } else { "written" },
                "{e}"
            );
            if failed {
                assert!(
                    e["reason"].as_str().unwrap().contains("cannot write"),
                    "{e}"
                );
            }
        }
        let dups: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(out.join(".newsclean/duplicates.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(dups["clusters"].as_array().unwrap().len(), 1, "{dups}");
        for e in walkdir::WalkDir::new(&out)
            .into_iter()
            .filter_map(Result::ok)
        {
            assert!(
                !e.file_name().to_string_lossy().ends_with(".tmp"),
                "{:?}",
                e.path()
            );
        }
    }
}

#[test]
fn malformed_html() {
    let (_t, inp, out) = scratch();
    let p = "<p>The council voted on Tuesday to close the old bridge to lorries after engineers warned.</p>";
    write(
        &inp,
        "unclosed.html",
        format!("<html><body><div><p>{}<div><b>bold<i>it", &p[3..]).as_bytes(),
    );
    write(
        &inp,
        "deep.html",
        format!("{}{p}{}", "<div>".repeat(100_000), "</div>".repeat(100_000)).as_bytes(),
    );
    let script = format!(
        "<html><head><script>var x = \"{}\";</script></head><body>{p}</body></html>",
        "a".repeat(20 * 1024 * 1024)
    );
    write(&inp, "big-script.html", script.as_bytes());
    write(
        &inp,
        "no-text.html",
        b"<html><body><nav><a href=/>Home</a></nav></body></html>",
    );
    write(&inp, "wrong-charset.html", "<meta charset=\"iso-8859-1\"><p>Caf\u{e9} \u{201c}quoted\u{201d} and the minister\u{2019}s words were clear on Tuesday.</p>".as_bytes());
    let a = run_checked(&inp, &out, &[]).success();
    assert!(
        stderr_of(&a).contains("5 read, 5 written"),
        "{}",
        stderr_of(&a)
    );
    for f in ["unclosed.txt", "deep.txt", "big-script.txt"] {
        assert!(
            fs::read_to_string(out.join(f))
                .unwrap()
                .contains("close the old bridge"),
            "{f}"
        );
    }
    assert_eq!(fs::read(out.join("no-text.txt")).unwrap(), b"");
    assert!(fs::read_to_string(out.join("wrong-charset.txt"))
        .unwrap()
        .contains("Caf\u{e9} \u{201c}quoted\u{201d}"));
    let m = manifest(&out);
    assert!(m
        .iter()
        .any(|e| e["input"] == "no-text.html" && e["no_article"] == true));
}

/// Builds a corpus big enough to be cut off mid-run.
fn corpus_to_interrupt(inp: &Path) {
    for i in 0..4000 {
        write(
            inp,
            &format!("s{:02}/f{i:05}.txt", i % 40),
            article(i).as_bytes(),
        );
    }
}

/// Waits until at least one output file exists.
fn wait_for_outputs(out: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        let any = walkdir::WalkDir::new(out)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".txt"));
        if any {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every output there is complete and the same as a full run's.
fn outputs_complete(out: &Path) -> usize {
    let mut n = 0;
    for e in walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().is_file() && name.ends_with(".txt") && !name.starts_with('.') {
            let text = fs::read_to_string(e.path()).unwrap();
            let num: usize = name
                .trim_start_matches('f')
                .trim_end_matches(".txt")
                .parse()
                .unwrap();
            assert_eq!(
                text,
                format!("Bridge story {num}\n\n{BODY} Report {num} adds that the detour is four miles long.\n")
            );
            n += 1;
        }
    }
    n
}

#[cfg(unix)]
#[test]
fn interrupted_runs_leave_complete_files_and_rerun_finishes() {
    for signal in ["INT", "KILL"] {
        let (_t, inp, out) = scratch();
        corpus_to_interrupt(&inp);
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsclean"))
            .arg(&inp)
            .arg(&out)
            .args(["-j", "1"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_outputs(&out);
        std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
        if signal == "INT" {
            assert_eq!(o.status.code(), Some(130), "{err}");
            assert!(err.contains("interrupted"), "{err}");
            // the manifest says what was not reached
            let m = manifest(&out);
            assert!(m.iter().any(|e| e["reason"] == "run interrupted"));
            let leftovers = walkdir::WalkDir::new(&out)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                .count();
            assert_eq!(leftovers, 0, "no temporary file after Ctrl-C");
        }
        let done = outputs_complete(&out);
        assert!(
            done < 4000,
            "{signal}: the run was not cut off ({done} written)"
        );
        // running the same command again finishes the job
        let a = newsclean()
            .arg(&inp)
            .arg(&out)
            .arg("-j")
            .arg("1")
            .assert()
            .success();
        assert!(
            stderr_of(&a).contains("4000 read, 4000 written"),
            "{}",
            stderr_of(&a)
        );
        assert_eq!(outputs_complete(&out), 4000);
        let temps = walkdir::WalkDir::new(&out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(
            temps, 0,
            "{signal}: stale temporary files removed by the re-run"
        );
    }
}

#[test]
fn same_result_whatever_the_threads_and_file_order() {
    let (t, inp, _) = scratch();
    for i in (0..60).rev() {
        write(
            &inp,
            &format!("z{}/f{i:05}.txt", i % 7),
            article(i).as_bytes(),
        );
    }
    let runs: Vec<_> = ["1", "2", "8"]
        .iter()
        .map(|j| {
            let out = t.path().join(format!("out-{j}"));
            newsclean()
                .arg(&inp)
                .arg(&out)
                .args(["-j", j])
                .assert()
                .success();
            (
                tree(&out),
                fs::read(out.join(".newsclean/manifest.jsonl")).unwrap(),
                fs::read(out.join(".newsclean/duplicates.json")).unwrap(),
            )
        })
        .collect();
    assert!(runs.windows(2).all(|w| w[0] == w[1]));
}

/// Inputs the fuzzers found problems with (tests/fuzz-regressions/): the
/// cleaner on their text is idempotent, and the real command line runs
/// them without a panic (and, where it writes them, to a fixed point; one
/// with many control bytes is rightly skipped as binary).
#[test]
fn fuzz_regressions() {
    let cleaner = newsclean::Cleaner::default();
    let dir = repo().join("tests/fuzz-regressions");
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let once = cleaner.clean(text).render();
            assert_eq!(cleaner.clean(&once).render(), once, "{}", path.display());
        }
        let (_t, inp, out) = scratch();
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".bin", ".txt");
        write(&inp, &name, &bytes);
        newsclean()
            .arg(&inp)
            .arg(&out)
            .args(["-q"])
            .assert()
            .success();
        if let Ok(first) = fs::read(out.join(&name)) {
            let (_t2, _, out2) = scratch();
            newsclean()
                .arg(&out)
                .arg(&out2)
                .args(["-q"])
                .assert()
                .success();
            assert_eq!(
                first,
                fs::read(out2.join(&name)).unwrap(),
                "{}: not a fixed point",
                path.display()
            );
        }
    }
}

/// A gzipped JSON Lines file that breaks off after some thousands of
/// lines (more than one chunk of the reader): the lines read before the
/// break are cleaned and written, the break is one line naming the file and
/// a failed entry in the manifest, and the other input goes through.
#[test]
fn a_jsonl_file_cut_off_midway() {
    use std::io::Write;
    let (_t, inp, out) = scratch();
    let lines: String = (0..2500)
        .map(|i| {
            let doc = serde_json::json!({"id": format!("d{i}"), "text": article(i)});
            format!("{doc}\n")
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.as_bytes()).unwrap();
    let packed = gz.finish().unwrap();
    // cut in the middle of the stream: the decoder fails at the cut
    write(&inp, "cut.jsonl.gz", &packed[..packed.len() * 9 / 10]);
    write(&inp, "whole.txt", article(9999).as_bytes());
    let a = run_checked(&inp, &out, &[]).code(1);
    let err = stderr_of(&a);
    assert!(
        one_line_naming(&err, "cut.jsonl.gz: cannot read JSON Lines"),
        "{err}"
    );
    let written = fs::read_to_string(out.join("cut.jsonl")).unwrap();
    let n = written.lines().count();
    assert!((1024..2500).contains(&n), "{n} lines written");
    for (i, l) in written.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["id"], format!("d{i}"), "in input order");
    }
    assert!(out.join("whole.txt").exists());
    let m = manifest(&out);
    assert!(m.iter().any(|e| e["input"] == "cut.jsonl.gz"
        && e["status"] == "failed"
        && e["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("cannot read JSON Lines"))));
}
