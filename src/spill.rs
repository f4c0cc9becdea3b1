//! A run's scratch space on disk, so that memory stays bounded however
//! many documents a run holds.
//!
//! A run needs some things of every document until its end: the cleaned
//! text of JSON Lines outputs (written after clustering, which names each
//! document's cluster), the input line to clean again when corpus learning
//! finds residue in it, the removal records for the manifest, the shingle
//! sets that confirm near duplicates. They go to one append-only file and
//! the run keeps a [`Ref`] (12 bytes) for each.
//!
//! The file is unnamed (created with `O_TMPFILE` where the system has it,
//! else unlinked at once by `tempfile`): nothing is left behind, even when
//! the run is killed. Writers append from any thread: each reserves its
//! range with an atomic add and writes it with a positioned write.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where a spilled value lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ref {
    offset: u64,
    len: u32,
}

impl Ref {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The part `start..start + len` of this value (values put together in
    /// one write are read back one by one).
    pub fn slice(self, start: usize, len: usize) -> Ref {
        assert!(start + len <= self.len as usize, "a slice inside the value");
        Ref {
            offset: self.offset + start as u64,
            len: len as u32,
        }
    }
}

/// An append-only scratch file.
#[derive(Debug)]
pub struct Spill {
    file: File,
    end: AtomicU64,
}

impl Spill {
    /// A new, empty scratch file in `dir` (which must exist).
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile_in(dir)?,
            end: AtomicU64::new(0),
        })
    }

    /// Appends `bytes`; values over 4 GiB are refused.
    pub fn put(&self, bytes: &[u8]) -> io::Result<Ref> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("a spilled value over 4 GiB"))?;
        let offset = self.end.fetch_add(u64::from(len), Ordering::Relaxed);
        write_all_at(&self.file, bytes, offset)?;
        Ok(Ref { offset, len })
    }

    /// Reads a value back.
    pub fn get(&self, r: Ref) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; r.len()];
        read_exact_at(&self.file, &mut buf, r.offset)?;
        Ok(buf)
    }

    /// Reads a value back as text (it was put as UTF-8).
    pub fn get_string(&self, r: Ref) -> io::Result<String> {
        String::from_utf8(self.get(r)?).map_err(io::Error::other)
    }
}

#[cfg(unix)]
fn write_all_at(f: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, buf, offset)
}

/// Fills `buf` from `f` at `offset` (also used to read a JSON Lines line
/// again from its input file).
#[cfg(unix)]
pub(crate) fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(windows)]
fn write_all_at(f: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = f.seek_write(buf, offset)?;
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
pub(crate) fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = f.seek_read(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let refs: Vec<(usize, Ref)> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|t| {
                    let spill = &spill;
                    s.spawn(move || {
                        (0..500)
                            .map(|i| {
                                let n = t * 1000 + i;
                                (n, spill.put(format!("value {n}").as_bytes()).unwrap())
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(refs.len(), 2000);
        for (n, r) in refs {
            assert_eq!(spill.get_string(r).unwrap(), format!("value {n}"));
        }
        let empty = spill.put(b"").unwrap();
        assert!(empty.is_empty() && spill.get(empty).unwrap().is_empty());
        // nothing is left in the folder: the file has no name
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
