//! Any text through every stage: no panic, and cleaning the output again
//! changes nothing (idempotence).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CLEANER: OnceLock<newsclean::Cleaner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let cleaner = CLEANER.get_or_init(newsclean::Cleaner::default);
    let once = cleaner.clean(text).render();
    let twice = cleaner.clean(&once).render();
    assert_eq!(once, twice, "not idempotent");
});
