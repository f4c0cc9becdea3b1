//! Output files are written atomically: to a temporary file in the same
//! folder, flushed, then renamed over the final name (a document's output,
//! on Linux, to an unnamed file then linked under its name). A reader (or
//! a run that was killed) never sees half a file.

use std::io::Write;
use std::path::Path;

/// Temporary files are named `.newsclean-XXXXXX.tmp`: hidden, and known to
/// be ours, so a run can remove those an interrupted run left behind.
pub const TEMP_PREFIX: &str = ".newsclean-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Test hooks: with `NEWSCLEAN_FAIL_WRITES_AFTER=N` in the environment,
/// every write after the first N fails as a full disk would; with
/// `NEWSCLEAN_FAIL_WRITES_TO=TEXT`, every write to a path holding TEXT
/// does. Lets the tests check the disk-full path without filling a disk.
fn injected_failure(path: &Path) -> Option<std::io::Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;
    static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
    static TO: OnceLock<Option<String>> = OnceLock::new();
    static DONE: AtomicUsize = AtomicUsize::new(0);
    let full = || {
        std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left on device (injected)",
        )
    };
    let to = TO.get_or_init(|| std::env::var("NEWSCLEAN_FAIL_WRITES_TO").ok());
    if to
        .as_deref()
        .is_some_and(|t| path.to_string_lossy().contains(t))
    {
        return Some(full());
    }
    let limit = (*LIMIT.get_or_init(|| {
        std::env::var("NEWSCLEAN_FAIL_WRITES_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
    }))?;
    (DONE.fetch_add(1, Ordering::SeqCst) >= limit).then(full)
}

/// Removes the temporary files a killed run left under `dir` (ours by
/// name); returns how many.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let mut n = 0;
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_file()
            && name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && std::fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

/// Writes `bytes` to `path` atomically, creating parent folders.
/// The data reach the disk before the rename (fsync).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes to `path` atomically what `fill` writes, through a buffer: a
/// large output (a manifest, a JSON Lines file) is streamed, never held.
/// The data reach the disk before the rename (fsync).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write(path, fill, true)
}

/// [`write_atomic`] for a document's output: atomic (a reader or a killed
/// run never sees half a file) but not synced one by one, which costs more
/// than the writing itself. A run syncs the file system once
/// ([`sync_file_system`]) before it commits its manifest: a manifest on
/// disk means every output it lists is on disk too.
///
/// On Linux the file is written unnamed (`O_TMPFILE`) and linked under
/// its name when whole (`linkat`): one entry added to the folder, where a
/// named temporary file costs an entry made, then renamed (looked up,
/// removed and added again). Where that cannot be done (a file system
/// without `O_TMPFILE`, an output already there to replace) it goes
/// through a named temporary file renamed over the output.
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        if let Some(e) = injected_failure(path) {
            return Err(e);
        }
        match unnamed::write(path, bytes) {
            unnamed::Outcome::Written => Ok(()),
            unnamed::Outcome::Failed(e) => Err(e),
            // (the write is counted once by the test hooks)
            unnamed::Outcome::NotDone => stage_unhooked(path, |w| w.write_all(bytes))?.place(false),
        }
    }
    #[cfg(not(target_os = "linux"))]
    write(path, |w| w.write_all(bytes), false)
}

/// Outputs written as unnamed files, then linked under their names.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::ffi::{CStr, CString};
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::{AsRawFd, FromRawFd};
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

    /// How an unnamed file is given its name here, learned at the first
    /// output: by its descriptor (`AT_EMPTY_PATH`, which Linux allows
    /// since 6.10 without privileges), through `/proc/self/fd`, or not at
    /// all (the named temporary file is used).
    static HOW: AtomicU8 = AtomicU8::new(UNKNOWN);
    const UNKNOWN: u8 = 0;
    const BY_DESCRIPTOR: u8 = 1;
    const BY_PROC: u8 = 2;
    const NEVER: u8 = 3;

    pub(super) enum Outcome {
        Written,
        /// Writing failed (a full disk): the caller reports it.
        Failed(std::io::Error),
        /// Not done this way; nothing was written under `path`.
        NotDone,
    }

    /// Outputs still to send straight to the named temporary file: after
    /// an output found already there, the next ones likely are too (a run
    /// repeated into its folder), and an unnamed file made for one of them
    /// is made for nothing. The unnamed way is tried again after
    /// [`REPLACING_RUN`] outputs.
    static SKIP: AtomicU32 = AtomicU32::new(0);
    const REPLACING_RUN: u32 = 64;

    pub(super) fn write(path: &Path, bytes: &[u8]) -> Outcome {
        let how = HOW.load(Ordering::Relaxed);
        if how == NEVER
            || SKIP
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
        {
            return Outcome::NotDone;
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let (Ok(dir_c), Ok(path_c)) = (
            CString::new(dir.as_os_str().as_bytes()),
            CString::new(path.as_os_str().as_bytes()),
        ) else {
            return Outcome::NotDone;
        };
        let open = || {
            // SAFETY: a path from a CString; the descriptor returned is
            // owned by the File made from it below.
            unsafe {
                libc::open(
                    dir_c.as_ptr(),
                    libc::O_TMPFILE | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o666 as libc::c_uint,
                )
            }
        };
        let mut fd = open();
        if fd < 0 && last_errno() == libc::ENOENT {
            // (the folder is made only when missing, as for named files)
            if let Err(e) = std::fs::create_dir_all(dir) {
                return Outcome::Failed(e);
            }
            fd = open();
        }
        if fd < 0 {
            return match last_errno() {
                // no O_TMPFILE on this file system or kernel
                libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL => {
                    HOW.store(NEVER, Ordering::Relaxed);
                    Outcome::NotDone
                }
                _ => Outcome::Failed(std::io::Error::last_os_error()),
            };
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
        if let Err(e) = file.write_all(bytes) {
            return Outcome::Failed(e);
        }
        // (an output already there is replaced by the named temporary
        // file and a rename: linking never replaces)
        if how != BY_PROC {
            match link(file.as_raw_fd(), c"", &path_c, libc::AT_EMPTY_PATH) {
                Ok(()) => {
                    HOW.store(BY_DESCRIPTOR, Ordering::Relaxed);
                    return Outcome::Written;
                }
                Err(libc::EEXIST) => return already_there(),
                Err(_) if how == BY_DESCRIPTOR => return Outcome::NotDone,
                Err(_) => {}
            }
        }
        let proc_path = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .expect("no NUL in a number");
        match link(libc::AT_FDCWD, &proc_path, &path_c, libc::AT_SYMLINK_FOLLOW) {
            Ok(()) => {
                HOW.store(BY_PROC, Ordering::Relaxed);
                Outcome::Written
            }
            Err(libc::EEXIST) => already_there(),
            Err(_) => {
                if how == UNKNOWN {
                    HOW.store(NEVER, Ordering::Relaxed);
                }
                Outcome::NotDone
            }
        }
    }

    fn already_there() -> Outcome {
        SKIP.store(REPLACING_RUN, Ordering::Relaxed);
        Outcome::NotDone
    }

    /// `linkat(from_dir, from, AT_FDCWD, to, flags)`: the error number
    /// when it fails.
    fn link(from_dir: libc::c_int, from: &CStr, to: &CStr, flags: libc::c_int) -> Result<(), i32> {
        // SAFETY: two NUL-terminated paths; `from_dir` is AT_FDCWD or a
        // descriptor the caller keeps open meanwhile.
        let r =
            unsafe { libc::linkat(from_dir, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), flags) };
        if r == 0 {
            Ok(())
        } else {
            Err(last_errno())
        }
    }

    fn last_errno() -> i32 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
    }
}

/// [`write_output`] through a writer.
pub fn write_output_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write(path, fill, false)
}

/// Flushes everything written to the file system holding `dir` to disk.
pub fn sync_file_system(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        let d = std::fs::File::open(dir)?;
        // SAFETY: syncfs takes an open descriptor, which `d` holds.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        // No per-file-system sync: open and sync the folder itself, which
        // is what portable code can do.
        std::fs::File::open(dir)?.sync_all()
    }
}

fn write(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    sync: bool,
) -> std::io::Result<()> {
    stage_with(path, fill)?.place(sync)
}

/// Bytes after which a large file's written part is handed to the disk.
const WRITEBACK_STEP: u64 = 8 << 20;

/// A file being written that asks the kernel to start writing each
/// [`WRITEBACK_STEP`] of it to disk as soon as it is written, without
/// waiting for it: the final sync of a run finds most of a large output on
/// disk already, and the disk works while the run still computes.
struct Writeback<'a> {
    file: &'a mut std::fs::File,
    written: u64,
    handed: u64,
}

impl Write for Writeback<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.handed >= WRITEBACK_STEP {
            #[cfg(target_os = "linux")]
            {
                use std::os::unix::io::AsRawFd;
                // SAFETY: the descriptor is open for the file's lifetime;
                // SYNC_FILE_RANGE_WRITE only starts writeback of the range.
                // (A failure here changes nothing: the run's sync comes.)
                unsafe {
                    libc::sync_file_range(
                        self.file.as_raw_fd(),
                        self.handed as libc::off64_t,
                        (self.written - self.handed) as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
            self.handed = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A file written in full beside its final name but not yet put there:
/// [`Staged::commit`] puts it in place (dropped uncommitted, it vanishes).
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

/// Writes what `fill` writes to a temporary file beside `path`, to be put
/// in place later: a run writes its manifest, lets go of its spill files,
/// syncs the file system once, then commits the manifest.
pub fn stage_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    if let Some(e) = injected_failure(path) {
        return Err(e);
    }
    stage_unhooked(path, fill)
}

/// [`stage_with`] without the test hooks.
fn stage_unhooked(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        // Made readable as any new file is (0666 less the umask), at
        // creation: no chmod afterwards.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // The folder is made only when it is missing: most outputs land in a
    // folder made for an earlier one, and asking costs two system calls.
    let mut tmp = match builder.tempfile_in(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            builder.tempfile_in(dir)?
        }
        r => r?,
    };
    {
        let file = Writeback {
            file: tmp.as_file_mut(),
            written: 0,
            handed: 0,
        };
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w)?;
        w.flush()?;
    }
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// Syncs the file's data, then renames it over its final name.
    pub fn commit(self) -> std::io::Result<()> {
        self.place(true)
    }

    fn place(self, sync: bool) -> std::io::Result<()> {
        if sync {
            self.tmp.as_file().sync_data()?;
        }
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temps_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/.newsclean-abc123.tmp"), "half").unwrap();
        std::fs::write(dir.path().join("a/keep.txt"), "x").unwrap();
        assert_eq!(remove_stale_temps(dir.path()), 1);
        assert!(dir.path().join("a/keep.txt").exists());
    }

    #[test]
    fn a_staged_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.jsonl");
        write_atomic(&p, b"old").unwrap();
        let staged = stage_with(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        staged.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        drop(stage_with(&p, |w| w.write_all(b"dropped")).unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn outputs_are_readable_like_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_output(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // SAFETY: umask only reads and sets the process's file mode mask.
        let mask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        assert_eq!(mode, 0o666 & !(mask as u32), "{mode:o}");
    }

    #[test]
    fn outputs_are_made_in_new_folders_and_replace_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("site/2025/story.txt");
        write_output(&p, b"first").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        // (an output already there cannot be linked over: it is replaced)
        write_output(&p, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second, longer");
        write_output(&dir.path().join("site/2025/other.txt"), b"").unwrap();
        let mut names: Vec<String> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["other.txt", "story.txt"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_output_that_cannot_be_written_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // a file where the output's folder should be
        std::fs::write(dir.path().join("site"), "a file").unwrap();
        let p = dir.path().join("site/story.txt");
        assert!(write_output(&p, b"text").is_err());
        assert_eq!(std::fs::read(dir.path().join("site")).unwrap(), b"a file");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn writes_and_replaces_leaving_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
