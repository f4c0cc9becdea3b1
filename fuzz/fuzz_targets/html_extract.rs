//! Any bytes as an HTML page: extraction never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let page = String::from_utf8_lossy(data);
    let e = newsclean::input::html::extract::extract(&page);
    let _ = e.to_text();
});
