//! Input: finding the documents under INPUT and turning their bytes into text.

pub mod decode;
pub mod html;
pub mod jsonl;
pub mod walk;
