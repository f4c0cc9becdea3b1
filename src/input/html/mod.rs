//! HTML pages: decoded with their declared charset, parsed with scraper
//! (html5ever), reduced to the article's blocks, then cleaned by the same
//! residue stages as text dumps.

pub mod charset;
pub mod extract;
pub mod meta;
