//! Any bytes: decoding (text and HTML charset sniffing) never panics and
//! gives valid UTF-8 (a String) or a binary verdict.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = newsclean::input::decode::decode(data);
    let _ = newsclean::input::html::charset::decode_html(data);
});
