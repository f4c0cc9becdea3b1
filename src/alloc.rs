//! The memory allocator the `newsclean` binary runs on: mimalloc, asked
//! the way the C library's `malloc` is.
//!
//! Stage lines, folded keys and records are many small, short-lived
//! allocations: mimalloc serves them faster than the system allocator
//! (measured in bench/HISTORY.md). The `mimalloc` crate's allocator passes
//! every request on with its alignment (`mi_malloc_aligned`), and mimalloc
//! serves an aligned request over 1 KiB whose size is not a power of two
//! by allocating more and aligning inside it: a slower path than its plain
//! `mi_malloc`, taken by most of a run's text buffers, which need no
//! alignment beyond a byte. Like the standard library's own system
//! allocator, [`Allocator`] asks for plain memory whenever the alignment
//! is one every block has anyway (at most 16 bytes, and at most the size:
//! mimalloc aligns each block as `malloc` must), and for aligned memory
//! only otherwise.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// Alignment every block mimalloc returns has, when the block is at least
/// that large (`MI_MAX_ALIGN_SIZE`, the alignment of C's `max_align_t`:
/// its size classes are multiples of two words on 64-bit systems, and its
/// allocation path asserts that a block of 16 bytes or more is aligned to
/// 16). Smaller blocks are aligned to their size class, a multiple of 8.
const PLAIN_ALIGN: usize = 16;

/// mimalloc as a Rust global allocator:
/// `#[global_allocator] static A: newsclean::alloc::Allocator = newsclean::alloc::Allocator;`
#[derive(Debug, Default, Clone, Copy)]
pub struct Allocator;

/// Whether a block of `size` bytes from plain `mi_malloc` is aligned to
/// `align` (a power of two): blocks smaller than 16 bytes are aligned to
/// their size class, which is a multiple of any power of two up to it.
#[inline(always)]
fn plain(size: usize, align: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every path returns memory from mimalloc that is at least
// `layout.size()` bytes and aligned to `layout.align()` (plain blocks by
// mimalloc's `malloc` guarantee, under the test in `plain`; others by the
// aligned calls), or null; all of it is freed by `mi_free`, which takes
// blocks from either.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.size(), layout.align()) {
            mi::mi_malloc(layout.size()) as *mut u8
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.size(), layout.align()) {
            mi::mi_zalloc(layout.size()) as *mut u8
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr as *mut c_void);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(new_size, layout.align()) {
            mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allocates, fills, grows, shrinks and frees blocks of many sizes and
    /// alignments through the allocator, checking each address's alignment
    /// and that the contents survive a move.
    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        let a = Allocator;
        let sizes = [
            1usize, 3, 7, 8, 12, 15, 16, 24, 100, 1000, 1025, 1500, 5000, 70_000,
        ];
        for &size in &sizes {
            for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    for i in 0..size {
                        *p.add(i) = i as u8;
                    }
                    // grown (moved, most likely), then shrunk
                    let mut q = p;
                    let mut from = layout;
                    for new_size in [size * 3 + 1, size / 2 + 1] {
                        q = a.realloc(q, from, new_size);
                        assert!(!q.is_null());
                        assert_eq!(
                            q as usize % align,
                            0,
                            "realloc to {new_size}, align {align}"
                        );
                        for i in 0..size.min(new_size) {
                            assert_eq!(*q.add(i), i as u8);
                        }
                        from = Layout::from_size_align(new_size, align).unwrap();
                    }
                    a.dealloc(q, from);
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }

    /// Many blocks of every size class up to 128 bytes at once, each at
    /// the largest alignment a plain request may ask: none is misaligned
    /// (one block alone could be aligned by luck, as a page's first).
    #[test]
    fn every_plain_block_of_a_size_class_is_aligned() {
        let a = Allocator;
        for size in (1..=128usize).chain([1000, 1024, 1500, 4000]) {
            // the largest power of two no larger than the size, up to 16
            let align = PLAIN_ALIGN.min(1 << size.ilog2());
            assert!(plain(size, align));
            let layout = Layout::from_size_align(size, align).unwrap();
            let blocks: Vec<*mut u8> = (0..300).map(|_| unsafe { a.alloc(layout) }).collect();
            for &p in &blocks {
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "size {size}, align {align}");
            }
            for p in blocks {
                unsafe { a.dealloc(p, layout) };
            }
        }
    }

    #[test]
    fn plain_requests_are_those_malloc_aligns() {
        assert!(plain(1, 1));
        assert!(plain(8, 8));
        assert!(plain(5000, 8));
        assert!(plain(16, 16));
        // smaller than its alignment, or aligned beyond malloc's
        assert!(!plain(4, 8));
        assert!(!plain(64, 32));
    }
}
