//! newsclean as a library: clean one scraped article held in a string, and
//! see what was removed and why.
//!
//! ```sh
//! cargo run --example clean_string
//! ```

use newsclean::Cleaner;

const SCRAPED: &str = "\
Home > News > Local
Harbour quay to close for repairs
By Tom Reyes
Published: 3 March 2025 10:00 GMT

The harbour authority said on Monday that the northern quay would close for repairs from next month, after divers found cracks in its supports.

Advertisement

Engineers expect the work to take about six weeks, the authority said.

Copyright 2025 Harbour Post. All rights reserved.
";

fn main() {
    let cleaner = Cleaner::default();
    let doc = cleaner.clean(SCRAPED);
    println!("--- cleaned text ---\n{}", doc.render());
    println!("--- removed ---");
    for r in doc.records_by_line() {
        println!("line {:>2} [{}] {}: {}", r.line, r.stage, r.reason, r.text);
    }
    println!("--- found ---");
    println!("title:  {:?}", doc.meta.title);
    println!("author: {:?}", doc.meta.author);
    println!("date:   {:?}", doc.meta.date);
}
