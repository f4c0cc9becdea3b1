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
//! the run is killed. Writers append from any thread. Small values are
//! gathered per thread and lane in a buffer that stands for a range of the
//! file reserved ahead (an atomic add), written with one positioned write
//! when full or when a value of the lane is read: a document's few values
//! cost no system call of their own, and the kernel gets whole pages
//! (a write into part of a fresh page has it zero the rest first).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

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
    /// Where the value starts in its file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

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

/// The range a writer reserves ahead in a lane, and gathers values for.
const GATHER: usize = 512 << 10;

/// Values larger than this are written at once, in a range of their own.
const GATHER_MAX: usize = GATHER / 8;

/// Writers gathering values in each lane at a time, at most (threads
/// beyond this share a buffer, under its lock).
const SLOTS: usize = 16;

/// Values gathered for one range of a lane, not yet written.
#[derive(Debug, Default)]
struct Gathered {
    /// Where `buf` goes in the lane's file.
    start: u64,
    /// Bytes reserved from `start` on (`buf` never grows beyond).
    room: usize,
    buf: Vec<u8>,
    /// Bytes of the values put through this slot so far (for the trace).
    put: u64,
}

/// An append-only scratch space: one file per [`Lane`].
#[derive(Debug)]
pub struct Spill {
    files: [File; LANES],
    ends: [AtomicU64; LANES],
    /// Per lane, a buffer per writer slot ([`slot`]).
    gathered: [Vec<Mutex<Gathered>>; LANES],
    /// Per lane: a value may wait in a buffer (cleared by [`Spill::settle`]).
    unsettled: [AtomicBool; LANES],
    /// Per lane, held while [`Spill::settle`] writes the buffers: a reader
    /// that finds another settling waits for it to finish.
    settling: [Mutex<()>; LANES],
    /// Per lane, the ranges whose write failed: their values read as errors
    /// (the file holds zeros, or nothing, there).
    failed: [Mutex<Vec<(u64, u64)>>; LANES],
    /// Per lane, where [`Spill::release_below`] has let go of it up to.
    released: [AtomicU64; LANES],
}

/// The writer slot of the calling thread: one per thread of a rayon pool,
/// one for any other thread.
fn slot() -> usize {
    rayon::current_thread_index().map_or(0, |i| 1 + i % (SLOTS - 1))
}

impl Spill {
    /// A new, empty scratch space in `dir` (which must exist).
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        let file = || tempfile::tempfile_in(dir);
        Ok(Spill::with_files([file()?, file()?, file()?, file()?]))
    }

    fn with_files(files: [File; LANES]) -> Spill {
        let slots = || (0..SLOTS).map(|_| Mutex::default()).collect();
        Spill {
            files,
            ends: Default::default(),
            gathered: [slots(), slots(), slots(), slots()],
            unsettled: Default::default(),
            settling: Default::default(),
            failed: Default::default(),
            released: Default::default(),
        }
    }

    /// Lets go of everything in `lane`: its file is emptied, which frees
    /// its pages without writing them. Reading a value of the lane
    /// afterwards is an error.
    pub fn release(&self, lane: Lane) -> io::Result<()> {
        for g in &self.gathered[lane as usize] {
            let mut g = lock(g);
            g.room = 0;
            g.buf = Vec::new();
        }
        self.files[lane as usize].set_len(0)
    }

    /// Lets go of the part of `lane` before `offset` (rounded down to a
    /// page): the pages holding it are freed at once, never written to the
    /// disk, and the memory is there for what the run writes next (on a
    /// virtual machine, pages just freed are much quicker to write again
    /// than memory the system has had back for a while). Reading a value
    /// that lay there afterwards gives zeros: the caller must be done with
    /// all of them. Where the system cannot, nothing happens. Says whether
    /// pages were let go of.
    pub fn release_below(&self, lane: Lane, offset: u64) -> bool {
        let end = offset & !4095;
        // (from where the last call ended: each page is let go of once)
        let start = self.released[lane as usize].fetch_max(end, Ordering::Relaxed);
        if end <= start {
            return false;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: fallocate on an open descriptor this Spill owns; a
            // hole punched keeps the file's size (reads give zeros).
            let done = unsafe {
                libc::fallocate(
                    self.files[lane as usize].as_raw_fd(),
                    libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                    start as libc::off_t,
                    (end - start) as libc::off_t,
                )
            };
            done == 0
        }
        #[cfg(not(target_os = "linux"))]
        false
    }

    /// Bytes of the values put so far in each lane (main, scan, outputs,
    /// manifest), those still gathered included: for the trace. (Counted
    /// per writer slot: a lane's end runs ahead of its values by the
    /// ranges reserved for gathering.)
    pub fn lane_sizes(&self) -> [u64; LANES] {
        std::array::from_fn(|l| self.gathered[l].iter().map(|g| lock(g).put).sum())
    }

    /// Appends `bytes` to the main lane; values over 4 GiB are refused.
    pub fn put(&self, bytes: &[u8]) -> io::Result<Ref> {
        self.put_in(Lane::Main, bytes)
    }

    /// Appends `bytes` to `lane`; values over 4 GiB are refused.
    /// (A small value is gathered with others and written later: an error
    /// writing it shows when it is read.)
    pub fn put_in(&self, lane: Lane, bytes: &[u8]) -> io::Result<Ref> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("a spilled value over 4 GiB"))?;
        let l = lane as usize;
        let mut g = lock(&self.gathered[l][slot()]);
        g.put += u64::from(len);
        if bytes.len() > GATHER_MAX {
            drop(g);
            let offset = self.ends[l].fetch_add(u64::from(len), Ordering::Relaxed);
            write_all_at(&self.files[l], bytes, offset)?;
            return Ok(Ref { offset, len, lane });
        }
        if g.buf.len() + bytes.len() > g.room {
            // The rest of the range stays a hole nothing refers to.
            self.write_gathered(l, &mut g);
            g.start = self.ends[l].fetch_add(GATHER as u64, Ordering::Relaxed);
            g.room = GATHER;
            g.buf.reserve(GATHER);
        }
        let offset = g.start + g.buf.len() as u64;
        g.buf.extend_from_slice(bytes);
        drop(g);
        self.unsettled[l].store(true, Ordering::Release);
        Ok(Ref { offset, len, lane })
    }

    /// Writes what `g` gathered and moves it past it. A failed write is
    /// noted: its values read as errors.
    fn write_gathered(&self, l: usize, g: &mut Gathered) {
        if g.buf.is_empty() {
            return;
        }
        let n = g.buf.len();
        if write_all_at(&self.files[l], &g.buf, g.start).is_err() {
            lock(&self.failed[l]).push((g.start, g.start + n as u64));
        }
        g.start += n as u64;
        g.room -= n;
        g.buf.clear();
    }

    /// Writes every value of `lane` still gathered, so that the file can be
    /// read.
    fn settle(&self, lane: Lane) {
        let l = lane as usize;
        // Under the lane's lock: a reader that finds the flag cleared by
        // another must not read before that one's writes are done.
        let _settling = lock(&self.settling[l]);
        // Cleared first: a value gathered meanwhile sets it again.
        if self.unsettled[l].swap(false, Ordering::AcqRel) {
            for g in &self.gathered[l] {
                self.write_gathered(l, &mut lock(g));
            }
        }
    }

    /// Reads a value back.
    pub fn get(&self, r: Ref) -> io::Result<Vec<u8>> {
        self.get_many(&[r])
            .pop()
            .expect("a value for the one asked")
    }

    /// Reads many values, each given with a tag, in the order they lie in
    /// their files, a block of up to 1 MiB per read, and calls `f` with
    /// each tag and value (or why it cannot be read).
    pub fn scan(&self, mut refs: Vec<(usize, Ref)>, f: impl FnMut(usize, io::Result<&[u8]>)) {
        Self::in_file_order(&mut refs);
        self.scan_in_order(&refs, f);
    }

    /// Puts tagged values in the order [`Spill::scan_in_order`] reads them:
    /// for values read many times over, sorted once.
    pub fn in_file_order(refs: &mut [(usize, Ref)]) {
        refs.sort_unstable_by_key(|(_, r)| (r.lane as u8, r.offset));
    }

    /// [`Spill::scan`] of values already in file order
    /// ([`Spill::in_file_order`]).
    pub fn scan_in_order(
        &self,
        refs: &[(usize, Ref)],
        mut f: impl FnMut(usize, io::Result<&[u8]>),
    ) {
        debug_assert!(refs.is_sorted_by_key(|(_, r)| (r.lane as u8, r.offset)));
        let mut settled = [false; LANES];
        for (_, r) in refs {
            if !std::mem::replace(&mut settled[r.lane as usize], true) {
                self.settle(r.lane);
            }
        }
        // (Where writes failed, looked up once for the scan: the values
        // asked for were written by now, so their failures are known, and a
        // lock taken for every value made threads that scan side by side
        // wait on each other.)
        let failed: [Vec<(u64, u64)>; LANES] =
            std::array::from_fn(|l| lock(&self.failed[l]).clone());
        let was_lost = |r: &Ref| {
            failed[r.lane as usize]
                .iter()
                .any(|&(a, b)| r.offset < b && r.end() > a)
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut rest = refs;
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
            let read = read_exact_at(file, &mut buf, first.offset);
            for &(tag, r) in block {
                let at = (r.offset - first.offset) as usize;
                f(
                    tag,
                    match &read {
                        Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
                        Ok(()) if was_lost(&r) => Err(lost()),
                        Ok(()) => Ok(&buf[at..at + r.len()]),
                    },
                );
            }
            rest = next;
        }
    }

    /// Reads values back, in the order asked, a block at a time
    /// ([`Spill::scan`]): for many values, far fewer reads than a
    /// [`Spill::get`] each.
    pub fn get_many(&self, refs: &[Ref]) -> Vec<io::Result<Vec<u8>>> {
        let mut out: Vec<Option<io::Result<Vec<u8>>>> = refs.iter().map(|_| None).collect();
        self.scan(refs.iter().copied().enumerate().collect(), |i, v| {
            out[i] = Some(v.map(<[u8]>::to_vec));
        });
        out.into_iter()
            .map(|v| v.expect("a scan gives every value"))
            .collect()
    }

    /// Reads a value back as text (it was put as UTF-8).
    pub fn get_string(&self, r: Ref) -> io::Result<String> {
        String::from_utf8(self.get(r)?).map_err(io::Error::other)
    }
}

/// The error of a value whose write failed.
fn lost() -> io::Error {
    io::Error::other("the scratch file could not keep the value")
}

/// Locks a mutex, whether or not a thread panicked holding it (nothing
/// that can panic runs while these locks are held).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
    fn lane_sizes_count_the_values_put() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        assert_eq!(spill.lane_sizes(), [0; LANES]);
        // small values (gathered) and one over GATHER_MAX (written at once)
        spill.put(&[1; 100]).unwrap();
        spill.put(&vec![2; GATHER_MAX + 1]).unwrap();
        spill.put_in(Lane::Scan, &[3; 7]).unwrap();
        spill.put_in(Lane::Manifest, &[4; 9]).unwrap();
        spill.put_in(Lane::Manifest, &[]).unwrap();
        assert_eq!(spill.lane_sizes(), [100 + GATHER_MAX as u64 + 1, 7, 0, 9]);
    }

    /// Letting go of a lane's start frees whole pages before the offset
    /// and nothing from the page it falls in on: values there read as
    /// before, the pages let go of read as zeros. (Where the system cannot
    /// punch holes, everything reads as before.)
    #[test]
    fn release_below_lets_go_of_whole_pages_before_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let refs: Vec<Ref> = (0..3000u32)
            .map(|i| {
                spill
                    .put_in(Lane::Out, format!("line {i:05}\n").as_bytes())
                    .unwrap()
            })
            .collect();
        // (values are written once a lane is read)
        assert_eq!(spill.get_string(refs[0]).unwrap(), "line 00000\n");
        let cut = refs[2000].offset();
        let punched = spill.release_below(Lane::Out, cut);
        assert!(!spill.release_below(Lane::Out, cut / 2), "an earlier point");
        for (i, r) in refs.iter().enumerate() {
            let got = spill.get(*r).unwrap();
            if r.offset() >= cut & !4095 || !punched {
                assert_eq!(got, format!("line {i:05}\n").as_bytes(), "{i}");
            } else if r.end() <= cut & !4095 {
                assert!(got.iter().all(|&b| b == 0), "{i} let go of");
            }
        }
        assert!(
            punched || !cfg!(target_os = "linux"),
            "ext4 and tmpfs punch holes"
        );
        // other lanes are untouched
        let other = spill.put(b"main").unwrap();
        assert_eq!(spill.get(other).unwrap(), b"main");
    }

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
            got[tag] = Some(v.unwrap().to_vec());
        });
        for (i, g) in got.into_iter().enumerate() {
            assert_eq!(g.as_deref(), Some(&want[i][..]), "value {i}");
        }
        // Slices of a value keep its lane.
        let r = spill.put_in(Lane::Scan, b"abcdef").unwrap();
        assert_eq!(spill.get(r.slice(2, 3)).unwrap(), b"cde");
    }

    #[test]
    fn values_gathered_by_pool_threads_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        use rayon::prelude::*;
        // Small values (gathered), values too large to gather, empty ones,
        // in two lanes, from three threads; some read while others wait.
        let value = |i: usize| -> Vec<u8> {
            let len = match i % 97 {
                0 => GATHER_MAX + 1 + i,
                1 => 0,
                n => n * 37,
            };
            (0..len).map(|k| (k * 7 + i) as u8).collect()
        };
        let refs: Vec<(usize, Ref)> = pool.install(|| {
            (0..4000usize)
                .into_par_iter()
                .map(|i| {
                    let lane = if i % 2 == 0 {
                        Lane::Out
                    } else {
                        Lane::Manifest
                    };
                    let r = spill.put_in(lane, &value(i)).unwrap();
                    if i % 1000 == 3 {
                        assert_eq!(spill.get(r).unwrap(), value(i), "read at once");
                    }
                    (i, r)
                })
                .collect()
        });
        let mut seen = 0;
        spill.scan(refs.clone(), |i, v| {
            assert_eq!(v.unwrap(), &value(i)[..], "value {i}");
            seen += 1;
        });
        assert_eq!(seen, 4000);
        let (tags, asked): (Vec<usize>, Vec<Ref>) = refs.iter().rev().copied().unzip();
        for (i, v) in tags.into_iter().zip(spill.get_many(&asked)) {
            assert_eq!(v.unwrap(), value(i), "value {i}, in the order asked");
        }
        for (i, r) in refs.into_iter().step_by(7) {
            assert_eq!(spill.get(r).unwrap(), value(i), "value {i}");
        }
    }

    #[test]
    fn readers_starting_together_all_see_every_value() {
        // The first read of a lane writes every gathered buffer; a reader
        // arriving meanwhile must wait for those writes, not read holes.
        use rayon::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let value = |i: usize| -> Vec<u8> { (0..300).map(|k| (k + i * 13) as u8 | 1).collect() };
        for _round in 0..40 {
            let spill = Spill::new_in(dir.path()).unwrap();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(SLOTS)
                .build()
                .unwrap();
            // Values in every slot's buffer, none written yet.
            let refs: Vec<Ref> = pool.install(|| {
                (0..SLOTS * 40)
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|i| spill.put_in(Lane::Scan, &value(i)).unwrap())
                    .collect()
            });
            let start = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                for t in 0..4 {
                    let (spill, refs, start) = (&spill, &refs, &start);
                    s.spawn(move || {
                        start.wait();
                        for (i, &r) in refs.iter().enumerate().rev().skip(t).step_by(4) {
                            assert_eq!(spill.get(r).unwrap(), value(i), "value {i}");
                        }
                    });
                }
            });
        }
    }

    #[test]
    fn a_value_whose_write_failed_reads_as_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // A file open only for reading: every write fails, and what it
        // holds must not pass for the values.
        std::fs::write(&path, vec![0xAA; 2 * GATHER]).unwrap();
        let file = || File::open(&path).unwrap();
        let spill = Spill::with_files([file(), file(), file(), file()]);
        let small = spill.put_in(Lane::Out, b"gathered").unwrap();
        assert!(spill.get(small).is_err(), "a gathered value");
        assert!(
            spill.put_in(Lane::Out, &vec![1; GATHER]).is_err(),
            "a large one"
        );
        let mut errors = 0;
        spill.scan(vec![(0, small)], |_, v| errors += usize::from(v.is_err()));
        assert_eq!(errors, 1, "a scan gives the error");
        assert!(spill.get_many(&[small])[0].is_err());
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
