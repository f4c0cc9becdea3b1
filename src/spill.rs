//! A run's scratch space on disk, so that memory stays bounded however
//! many documents a run holds.
//!
//! A run needs some things of every document until its end: the cleaned
//! text of JSON Lines outputs (written after clustering, which names each
//! document's cluster), the input line to clean again when corpus learning
//! finds residue in it, the removal records for the manifest, the shingle
//! sets that confirm near duplicates. They go to append-only files, one per
//! [`Lane`] (what is read at one time), and the run keeps a [`Ref`] (16
//! bytes) for each.
//!
//! The files are unnamed (created with `O_TMPFILE` where the system has it,
//! else unlinked at once by `tempfile`): nothing is left behind, even when
//! the run is killed. Writers append from any thread: each reserves its
//! range with an atomic add and writes it with a positioned write.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which of the spill's files a value goes to. Each lane is a file of its
/// own, so that a lane whose values are all read can be let go of
/// ([`Spill::release`]) while the run goes on: its pages are freed at once,
/// never written to the disk, and the memory serves the writing of the
/// outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lane {
    /// Values read back once or twice, each when its document's turn comes.
    #[default]
    Main,
    /// Small values read many times over, all of them in turn (the
    /// clustering's samples, once per counting pass): kept apart from the
    /// rest, so that such a scan reads only them, in file order, in large
    /// blocks ([`Spill::scan`]).
    Scan,
    /// Outputs written at the end.
    Out,
    /// Manifest lines, the last thing read.
    Manifest,
}

/// How many lanes there are.
const LANES: usize = 4;

/// Where a spilled value lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ref {
    offset: u64,
    len: u32,
    lane: Lane,
}

impl Ref {
    /// Where the value ends in its file.
    fn end(&self) -> u64 {
        self.offset + u64::from(self.len)
    }

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
            lane: self.lane,
        }
    }
}

/// Bytes read at once by [`Spill::scan`].
const SCAN_BLOCK: u64 = 1 << 20;

/// An append-only scratch space: one file per [`Lane`].
#[derive(Debug)]
pub struct Spill {
    files: [File; LANES],
    ends: [AtomicU64; LANES],
}

impl Spill {
    /// A new, empty scratch space in `dir` (which must exist).
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        let file = || tempfile::tempfile_in(dir);
        Ok(Spill {
            files: [file()?, file()?, file()?, file()?],
            ends: Default::default(),
        })
    }

    /// Lets go of everything in `lane`: its file is emptied, which frees
    /// its pages without writing them. Reading a value of the lane
    /// afterwards is an error.
    pub fn release(&self, lane: Lane) -> io::Result<()> {
        self.files[lane as usize].set_len(0)
    }

    /// Appends `bytes` to the main lane; values over 4 GiB are refused.
    pub fn put(&self, bytes: &[u8]) -> io::Result<Ref> {
        self.put_in(Lane::Main, bytes)
    }

    /// Appends `bytes` to `lane`; values over 4 GiB are refused.
    pub fn put_in(&self, lane: Lane, bytes: &[u8]) -> io::Result<Ref> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("a spilled value over 4 GiB"))?;
        let offset = self.ends[lane as usize].fetch_add(u64::from(len), Ordering::Relaxed);
        write_all_at(&self.files[lane as usize], bytes, offset)?;
        Ok(Ref { offset, len, lane })
    }

    /// Reads a value back.
    pub fn get(&self, r: Ref) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; r.len()];
        read_exact_at(&self.files[r.lane as usize], &mut buf, r.offset)?;
        Ok(buf)
    }

    /// Reads many values, each given with a tag, in the order they lie in
    /// their files, a block of up to 1 MiB per read, and calls `f` with
    /// each tag and value. A value in a block that cannot be read comes as
    /// empty.
    pub fn scan(&self, mut refs: Vec<(usize, Ref)>, mut f: impl FnMut(usize, &[u8])) {
        refs.sort_unstable_by_key(|(_, r)| (r.lane as u8, r.offset));
        let mut buf: Vec<u8> = Vec::new();
        let mut rest = &refs[..];
        while let Some(&(_, first)) = rest.first() {
            // The block: from the first value to the end of the last one
            // that fits (at least the first, however long).
            let n = rest
                .iter()
                .take_while(|(_, r)| r.lane == first.lane && r.end() - first.offset <= SCAN_BLOCK)
                .count()
                .max(1);
            let (block, next) = rest.split_at(n);
            let end = block
                .iter()
                .map(|(_, r)| r.end())
                .max()
                .unwrap_or(first.offset);
            buf.resize((end - first.offset) as usize, 0);
            let file = &self.files[first.lane as usize];
            let ok = read_exact_at(file, &mut buf, first.offset).is_ok();
            for &(tag, r) in block {
                let at = (r.offset - first.offset) as usize;
                f(tag, if ok { &buf[at..at + r.len()] } else { &[] });
            }
            rest = next;
        }
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

    #[test]
    fn a_scan_gives_every_value_with_its_tag() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        // Values of both lanes, of all sizes (some larger than a block),
        // asked for in an order that is not the files' order.
        let mut refs = Vec::new();
        let mut want = Vec::new();
        for i in 0..3000usize {
            let lane = if i % 3 == 0 { Lane::Main } else { Lane::Scan };
            let len = match i % 500 {
                7 => SCAN_BLOCK as usize + 17,
                n => n * 13 % 2000,
            };
            let value: Vec<u8> = (0..len).map(|k| (k * 31 + i) as u8).collect();
            let r = spill.put_in(lane, &value).unwrap();
            assert_eq!(spill.get(r).unwrap(), value);
            refs.push((i, r));
            want.push(value);
        }
        refs.reverse();
        let mut got: Vec<Option<Vec<u8>>> = vec![None; want.len()];
        spill.scan(refs, |tag, v| {
            assert!(got[tag].is_none(), "value {tag} given twice");
            got[tag] = Some(v.to_vec());
        });
        for (i, g) in got.into_iter().enumerate() {
            assert_eq!(g.as_deref(), Some(&want[i][..]), "value {i}");
        }
        // Slices of a value keep its lane.
        let r = spill.put_in(Lane::Scan, b"abcdef").unwrap();
        assert_eq!(spill.get(r.slice(2, 3)).unwrap(), b"cde");
    }

    #[test]
    fn a_released_lane_is_gone_and_the_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let lanes = [Lane::Main, Lane::Scan, Lane::Out, Lane::Manifest];
        let refs: Vec<Ref> = lanes
            .iter()
            .map(|&l| spill.put_in(l, format!("{l:?} value").as_bytes()).unwrap())
            .collect();
        spill.release(Lane::Out).unwrap();
        for (l, r) in lanes.iter().zip(&refs) {
            let got = spill.get(*r);
            if *l == Lane::Out {
                assert!(got.is_err(), "a released lane reads nothing");
            } else {
                assert_eq!(got.unwrap(), format!("{l:?} value").as_bytes());
            }
        }
    }
}
