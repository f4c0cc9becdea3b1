//! Main-content extraction: an HTML page to the article's text blocks.
//!
//! 1. Walk the DOM (an explicit stack: deep pages overflow recursion),
//!    dropping what is never article text (script, style, forms, hidden
//!    elements) and elements whose class or id names boilerplate (share
//!    bars, related lists, comments, ads: `data/html_classes.txt`). Text is
//!    gathered into blocks owned by their nearest block element: headings,
//!    paragraphs, list items, quotes, table cells, `<pre>`; `<br>` is a line
//!    break. Each block knows how much of its text is link text.
//! 2. Score the containers, in the manner of Readability: each paragraph
//!    gives its parent 1 point, 1 per comma and 1 per 100 characters (up to
//!    3), its grandparent half that and the next a third. A container's
//!    score is scaled by the share of its text that is not links, and
//!    raised for `<article>`, `itemprop=articleBody` or a content class.
//! 3. Take the best container and those of its siblings that score near it
//!    (or are plain long paragraphs), then drop link lists inside it.
//! 4. The headline comes from the page's `<h1>` when it agrees with the
//!    metadata, else from og:title, JSON-LD or `<title>` less the site name.
//!    A JSON-LD `articleBody` much longer than what was found replaces it.
//!
//! Every block left out is recorded with why, for `newsclean explain`.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::meta::{read_meta, HtmlMeta};
use crate::doc::Record;
use crate::phrases::PhraseList;
use crate::text::{loose_key, word_count};

/// The stage name of removals made while extracting.
pub const STAGE: &str = "html";

/// Elements beyond this many are not walked: a guard against pathological
/// pages (what was walked so far is kept).
pub const MAX_ELEMENTS: usize = 300_000;

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    ListItem,
    Quote,
    Cell,
    Pre,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    pub kind: BlockKind,
    owner: NodeId,
    chars: usize,
    link_chars: usize,
}

impl Block {
    fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// The article found in a page.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// The headline, when one was found.
    pub title: Option<String>,
    /// The article's blocks, in page order.
    pub blocks: Vec<String>,
    pub meta: HtmlMeta,
    /// Where the article was found ("div#story-body"), or why none was.
    pub container: String,
    /// What was left out, and why (`line` is 0: the page has no lines).
    pub records: Vec<Record>,
}

impl Extracted {
    /// The article as text: headline, blank line, one block a paragraph.
    pub fn to_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(t) = &self.title {
            parts.push(t);
        }
        parts.extend(self.blocks.iter().map(String::as_str));
        let mut s = parts.join("\n\n");
        if !s.is_empty() {
            s.push('\n');
        }
        s
    }
}

struct Classes {
    strong: PhraseList,
    weak: PhraseList,
    content: PhraseList,
}

static CLASSES: LazyLock<Classes> = LazyLock::new(|| {
    let mut s = crate::phrases::sections(include_str!("../../../data/html_classes.txt"));
    Classes {
        strong: s.remove("strong").unwrap_or_default(),
        weak: s.remove("boilerplate").unwrap_or_default(),
        content: s.remove("content").unwrap_or_default(),
    }
});

/// Calls `f` with each token of the element's class and id until it
/// returns true. Tokens are split at non-alphanumerics and lower-to-upper
/// changes ("share-bar relatedPosts" -> share, bar, related, posts) and
/// lowercased; lowercase ones are not copied.
fn any_token(el: &scraper::node::Element, mut f: impl FnMut(&str) -> bool) -> bool {
    for attr in [el.attr("class"), el.attr("id")].into_iter().flatten() {
        let b = attr.as_bytes();
        let mut start: Option<usize> = None;
        for i in 0..=b.len() {
            let c = b.get(i).copied();
            let alnum = c.is_some_and(|c| c.is_ascii_alphanumeric() || c >= 0x80);
            let case_split = start.is_some()
                && c.is_some_and(|c| c.is_ascii_uppercase())
                && b[i - 1].is_ascii_lowercase();
            if let Some(st) = start {
                if !alnum || case_split {
                    let tok = &attr[st..i];
                    let hit = if tok.bytes().any(|c| c.is_ascii_uppercase()) {
                        f(&tok.to_ascii_lowercase())
                    } else {
                        f(tok)
                    };
                    if hit {
                        return true;
                    }
                    start = None;
                }
            }
            if alnum && start.is_none() {
                start = Some(i);
            }
        }
    }
    false
}

/// The first token of the element's class or id that is in `list`.
fn token_in(el: &scraper::node::Element, list: &PhraseList) -> Option<String> {
    let mut found = None;
    any_token(el, |t| {
        let hit = list.contains_key(t);
        if hit {
            found = Some(t.to_string());
        }
        hit
    });
    found
}

const SKIP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "button",
    "select",
    "input",
    "textarea",
    "object",
    "embed",
    "canvas",
    "audio",
    "video",
    "picture",
    "img",
    "figcaption",
    "head",
    "math",
    "map",
    "dialog",
    "label",
    "option",
];
const CHROME_TAGS: &[&str] = &["nav", "header", "footer", "aside"];
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "figure",
    "header",
    "footer",
    "nav",
    "aside",
    "address",
    "hr",
    "details",
    "summary",
    "body",
    "center",
    "form",
    "fieldset",
    "caption",
    "hgroup",
];
/// Tags whose own direct text makes them a container candidate.
const CONTAINER_TAGS: &[&str] = &["div", "section", "article", "main", "td", "body", "center"];

fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    el.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

fn is_protected(el: &scraper::node::Element) -> bool {
    matches!(el.name(), "body" | "html" | "main" | "article")
        || el.attr("itemprop") == Some("articleBody")
}

/// Nesting deeper than this is flattened before parsing: html5ever's tree
/// building slows down with the square of the depth (5 s at 40,000 levels),
/// and real pages nest a few dozen levels.
pub const MAX_DEPTH: usize = 1_000;

const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Removes the tags that would nest deeper than `limit`, and as many of the
/// closing tags that follow, in one linear scan (script, style and comment
/// contents are skipped). Returns the page unchanged when it is not that
/// deep, and the number of tags removed.
pub fn flatten_deep(page: &str, limit: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let b = page.as_bytes();
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut excess = 0usize;
    let mut i = 0;
    while let Some(off) = memchr_lt(&b[i..]) {
        let start = i + off;
        let rest = &b[start..];
        if rest.starts_with(b"<!--") {
            i = find_from(b, start + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_end = (name_start..b.len())
            .find(|&k| !b[k].is_ascii_alphanumeric())
            .unwrap_or(b.len());
        let Some(end) = find_from(b, name_end, b">") else {
            break;
        };
        if name_end == name_start {
            i = start + 1;
            continue;
        }
        let name = &b[name_start..name_end];
        let self_closing = b[end.saturating_sub(1)] == b'/';
        i = end + 1;
        if !closing {
            let raw_text: Option<&[u8]> = if name.eq_ignore_ascii_case(b"script") {
                Some(b"</script")
            } else if name.eq_ignore_ascii_case(b"style") {
                Some(b"</style")
            } else {
                None
            };
            if let Some(close) = raw_text {
                i = find_ci(b, i, close).unwrap_or(b.len());
                continue;
            }
        }
        if self_closing
            || VOID_TAGS
                .iter()
                .any(|v| name.eq_ignore_ascii_case(v.as_bytes()))
        {
            continue;
        }
        if closing {
            if excess > 0 {
                excess -= 1;
                cuts.push((start, end + 1));
            } else {
                depth = depth.saturating_sub(1);
            }
        } else if depth >= limit {
            excess += 1;
            cuts.push((start, end + 1));
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    if cuts.is_empty() {
        return (std::borrow::Cow::Borrowed(page), 0);
    }
    let mut out = String::with_capacity(page.len());
    let mut at = 0;
    for &(a, z) in &cuts {
        out.push_str(&page[at..a]);
        at = z;
    }
    out.push_str(&page[at..]);
    (std::borrow::Cow::Owned(out), cuts.len())
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', b)
}

fn find_from(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| p + from)
}

/// The next `</name` (any case) at or after `from`.
fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = b.get(from..)?;
    let mut at = 0;
    static CLOSE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"</"));
    while let Some(p) = CLOSE.find(&hay[at..]) {
        let start = at + p;
        let end = start + needle.len();
        if end <= hay.len() && hay[start..end].eq_ignore_ascii_case(needle) {
            return Some(from + start);
        }
        at = start + 2;
    }
    None
}

/// A short description of an element for reasons: `div#id.class`.
fn describe(el: &scraper::node::Element) -> String {
    let mut s = el.name().to_string();
    if let Some(id) = el.attr("id") {
        s.push('#');
        s.push_str(id);
    }
    if let Some(c) = el.attr("class") {
        for part in c.split_whitespace().take(2) {
            s.push('.');
            s.push_str(part);
        }
    }
    s
}

/// Long paragraphs under an element (a guard before dropping a wrapper for
/// a class name).
fn long_paragraphs(node: NodeRef<Node>, at_least: usize) -> usize {
    let mut n = 0;
    for d in node.descendants() {
        if let Node::Element(e) = d.value() {
            if e.name() == "p" {
                let len: usize = d
                    .descendants()
                    .filter_map(|x| x.value().as_text().map(|t| t.trim().len()))
                    .sum();
                if len >= 80 {
                    n += 1;
                    if n >= at_least {
                        return n;
                    }
                }
            }
        }
    }
    n
}

fn text_of(node: NodeRef<Node>, limit: usize) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            s.push_str(t);
            s.push(' ');
            if s.len() > limit * 4 {
                break;
            }
        }
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > limit {
        let cut: String = s.chars().take(limit).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Removals made while extracting, consecutive ones of the same reason
/// merged (a menu of 400 links is one record, not 400): the text keeps the
/// first blocks, and the reason says how many more there were.
#[derive(Default)]
struct Notes {
    records: Vec<Record>,
    more: Vec<usize>,
}

impl Notes {
    const KEEP: usize = 200;

    fn add(&mut self, reason: &str, text: &str) {
        if let Some(last) = self.records.last_mut() {
            if last.reason == reason {
                if let Some(m) = self.more.last_mut() {
                    *m += 1;
                }
                if last.text.len() < Self::KEEP * 4 && last.text.chars().count() < Self::KEEP {
                    last.text.push_str(" | ");
                    last.text.push_str(text);
                }
                return;
            }
        }
        self.records.push(Record {
            stage: STAGE,
            reason: reason.to_string(),
            text: text.to_string(),
            line: 0,
        });
        self.more.push(0);
    }

    fn into_records(self) -> Vec<Record> {
        self.records
            .into_iter()
            .zip(self.more)
            .map(|(mut r, more)| {
                if more > 0 {
                    r.reason = format!("{} (+{more} more blocks)", r.reason);
                }
                if r.text.chars().count() > Self::KEEP {
                    r.text = r.text.chars().take(Self::KEEP).collect::<String>() + "\u{2026}";
                }
                r
            })
            .collect()
    }
}

/// A line break inside a block, kept through whitespace collapsing.
const BR: char = '\u{2028}';

struct Walker {
    blocks: Vec<Block>,
    notes: Notes,
    buf: String,
    owner: Option<NodeId>,
    link_depth: usize,
    pre_depth: usize,
    link_chars: usize,
}

impl Walker {
    fn flush(&mut self, tree: &ego_tree::Tree<Node>) {
        let Some(owner) = self.owner else {
            self.buf.clear();
            self.link_chars = 0;
            return;
        };
        let raw = std::mem::take(&mut self.buf);
        let link_chars = std::mem::take(&mut self.link_chars);
        let text = if self.pre_depth > 0 {
            raw.lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
                .trim_matches('\n')
                .to_string()
        } else {
            raw.split(BR)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if text.is_empty() {
            return;
        }
        let tag = tree
            .get(owner)
            .and_then(|n| n.value().as_element())
            .map(|e| e.name())
            .unwrap_or("div");
        let kind = match tag {
            "h1" => BlockKind::Heading(1),
            "h2" => BlockKind::Heading(2),
            "h3" => BlockKind::Heading(3),
            "h4" | "h5" | "h6" => BlockKind::Heading(4),
            "li" | "dd" | "dt" => BlockKind::ListItem,
            "blockquote" => BlockKind::Quote,
            "td" | "th" => BlockKind::Cell,
            "pre" => BlockKind::Pre,
            _ => BlockKind::Paragraph,
        };
        let chars = text.chars().filter(|c| !c.is_whitespace()).count();
        self.blocks.push(Block {
            text,
            kind,
            owner,
            chars,
            link_chars: link_chars.min(chars),
        });
    }
}

enum Frame<'a> {
    Enter(NodeRef<'a, Node>),
    /// Leaving a block element: the owner to restore.
    LeaveBlock(Option<NodeId>),
    LeaveLink,
    LeavePre,
}

/// Walks the body into blocks.
fn walk(html: &Html) -> (Vec<Block>, Notes) {
    let mut w = Walker {
        blocks: Vec::new(),
        notes: Notes::default(),
        buf: String::new(),
        owner: None,
        link_depth: 0,
        pre_depth: 0,
        link_chars: 0,
    };
    let root = html.tree.root();
    let mut stack = vec![Frame::Enter(root)];
    let mut elements = 0usize;
    let classes = &*CLASSES;
    while let Some(frame) = stack.pop() {
        match frame {
            Frame::LeaveBlock(prev) => {
                w.flush(&html.tree);
                w.owner = prev;
            }
            Frame::LeaveLink => w.link_depth -= 1,
            Frame::LeavePre => w.pre_depth -= 1,
            Frame::Enter(node) => match node.value() {
                Node::Text(t) if w.owner.is_some() => {
                    w.buf.push_str(t);
                    if w.link_depth > 0 {
                        w.link_chars += t.chars().filter(|c| !c.is_whitespace()).count();
                    }
                }
                Node::Element(el) => {
                    elements += 1;
                    if elements > MAX_ELEMENTS {
                        let reason = format!(
                            "page has more than {MAX_ELEMENTS} elements: the rest was not read"
                        );
                        w.notes.add(&reason, "");
                        break;
                    }
                    let name = el.name();
                    if SKIP_TAGS.contains(&name) || is_hidden(el) {
                        continue;
                    }
                    if name == "form" && long_paragraphs(node, 1) == 0 {
                        continue;
                    }
                    if name == "br" {
                        w.buf.push(BR);
                        continue;
                    }
                    if !is_protected(el) && (el.attr("class").is_some() || el.attr("id").is_some())
                    {
                        let (mut strong, mut weak) = (None, None);
                        any_token(el, |t| {
                            if classes.strong.contains_key(t) {
                                strong = Some(t.to_string());
                                return true;
                            }
                            if weak.is_none() && classes.weak.contains_key(t) {
                                weak = Some(t.to_string());
                            }
                            false
                        });
                        let hit = strong.or_else(|| weak.filter(|_| long_paragraphs(node, 3) < 3));
                        if let Some(tok) = hit {
                            let text = text_of(node, 160);
                            if !text.is_empty() {
                                let reason =
                                    format!("element {} (class or id \"{tok}\")", describe(el));
                                w.notes.add(&reason, &text);
                            }
                            continue;
                        }
                    }
                    // A <pre> block flushes before it stops being <pre>: its
                    // LeavePre goes on the stack under its LeaveBlock.
                    if name == "pre" {
                        w.pre_depth += 1;
                        stack.push(Frame::LeavePre);
                    }
                    let block = BLOCK_TAGS.contains(&name);
                    if block {
                        w.flush(&html.tree);
                        stack.push(Frame::LeaveBlock(w.owner));
                        w.owner = Some(node.id());
                    }
                    if name == "a" {
                        w.link_depth += 1;
                        stack.push(Frame::LeaveLink);
                    }

                    let children: Vec<_> = node.children().collect();
                    for c in children.into_iter().rev() {
                        stack.push(Frame::Enter(c));
                    }
                }
                Node::Document | Node::Fragment => {
                    let children: Vec<_> = node.children().collect();
                    for c in children.into_iter().rev() {
                        stack.push(Frame::Enter(c));
                    }
                }
                _ => {}
            },
        }
    }
    w.flush(&html.tree);
    (w.blocks, w.notes)
}

fn element_of(tree: &ego_tree::Tree<Node>, id: NodeId) -> Option<&scraper::node::Element> {
    tree.get(id).and_then(|n| n.value().as_element())
}

fn is_chrome(tree: &ego_tree::Tree<Node>, id: NodeId) -> bool {
    tree.get(id).is_some_and(|n| {
        n.ancestors().chain(std::iter::once(n)).any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| CHROME_TAGS.contains(&e.name()))
        })
    })
}

/// Scores containers and returns the chosen ones (best and near siblings).
fn choose(html: &Html, blocks: &[Block]) -> Vec<NodeId> {
    let tree = &html.tree;
    let mut score: HashMap<NodeId, f32> = HashMap::new();
    let mut chars: HashMap<NodeId, (usize, usize)> = HashMap::new();
    // Characters of prose (paragraphs with few links) under each element.
    let mut prose: HashMap<NodeId, usize> = HashMap::new();
    for b in blocks {
        let Some(node) = tree.get(b.owner) else {
            continue;
        };
        let is_prose = matches!(
            b.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::Pre | BlockKind::Cell
        ) && b.chars >= 25
            && b.link_density() <= 0.5;
        for a in std::iter::once(node).chain(node.ancestors()) {
            let e = chars.entry(a.id()).or_default();
            e.0 += b.chars;
            e.1 += b.link_chars;
            if is_prose {
                *prose.entry(a.id()).or_default() += b.chars;
            }
        }
        if !is_prose {
            continue;
        }
        let commas = b.text.matches([',', '\u{FF0C}', '\u{3001}']).count() as f32;
        let s = 1.0 + commas + (b.chars as f32 / 100.0).min(3.0);
        let own = element_of(tree, b.owner).map(|e| e.name()).unwrap_or("");
        let first = if CONTAINER_TAGS.contains(&own) {
            Some(node)
        } else {
            node.parent()
        };
        let mut level = first;
        for div in [1.0, 2.0, 3.0] {
            let Some(l) = level else { break };
            if l.value().as_element().is_none() {
                break;
            }
            *score.entry(l.id()).or_default() += s / div;
            level = l.parent();
        }
    }
    let classes = &*CLASSES;
    let final_score = |id: NodeId, s: f32| -> f32 {
        let (c, l) = chars.get(&id).copied().unwrap_or((0, 0));
        let density = if c == 0 { 0.0 } else { l as f32 / c as f32 };
        let mut f = s * (1.0 - density);
        if let Some(e) = element_of(tree, id) {
            if e.name() == "article" || e.attr("itemprop") == Some("articleBody") {
                f *= 1.5;
            } else if token_in(e, &classes.content).is_some() {
                f *= 1.25;
            }
            if e.name() == "body" {
                f *= 0.5;
            }
        }
        if is_chrome(tree, id) {
            f *= 0.3;
        }
        f
    };
    let mut ranked: Vec<(NodeId, f32)> = score
        .iter()
        .map(|(&id, &s)| (id, final_score(id, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let Some(&(best, top_score)) = ranked.first() else {
        return Vec::new();
    };
    // Move up while the parent holds clearly more prose than the best
    // container and is not itself mostly links: an article split in
    // sections (an ad between them), or a standfirst in the header.
    let mut top = best;
    let prose_of = |id: NodeId| prose.get(&id).copied().unwrap_or(0);
    while let Some(parent) = tree.get(top).and_then(|n| n.parent()) {
        let Some(pe) = parent.value().as_element() else {
            break;
        };
        if matches!(pe.name(), "body" | "html") {
            break;
        }
        let (c, l) = chars.get(&parent.id()).copied().unwrap_or((0, 0));
        let links = if c == 0 { 0.0 } else { l as f32 / c as f32 };
        let (mine, theirs) = (prose_of(top), prose_of(parent.id()));
        if theirs >= mine + (mine / 10).max(100) && links < 0.3 {
            top = parent.id();
        } else {
            break;
        }
    }
    let mut chosen = vec![top];
    // Siblings that score near the best, or are plain long paragraphs.
    if let Some(parent) = tree.get(top).and_then(|n| n.parent()) {
        let threshold = (top_score * 0.2).max(10.0);
        for sib in parent.children() {
            if sib.id() == top || sib.value().as_element().is_none() {
                continue;
            }
            let s = score
                .get(&sib.id())
                .map(|&s| final_score(sib.id(), s))
                .unwrap_or(0.0);
            let (c, l) = chars.get(&sib.id()).copied().unwrap_or((0, 0));
            let is_p = sib.value().as_element().is_some_and(|e| e.name() == "p");
            let plain_paragraph = is_p && c >= 80 && (l as f32) < 0.25 * c as f32;
            if s >= threshold || plain_paragraph {
                chosen.push(sib.id());
            }
        }
    }
    chosen
}

/// Is `id` one of `chosen` or inside one?
fn within(tree: &ego_tree::Tree<Node>, id: NodeId, chosen: &HashSet<NodeId>) -> bool {
    tree.get(id).is_some_and(|n| {
        chosen.contains(&n.id()) || n.ancestors().any(|a| chosen.contains(&a.id()))
    })
}

/// The page's `<h1>` texts, in order, outside boilerplate.
fn h1s(blocks: &[Block]) -> Vec<&str> {
    blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading(1))
        .map(|b| b.text.as_str())
        .collect()
}

/// "Story title | Site Name" -> "Story title" (the longest part).
fn strip_site(title: &str, site: Option<&str>) -> String {
    for sep in [
        " | ",
        " - ",
        " \u{2013} ",
        " \u{2014} ",
        " :: ",
        " \u{00BB} ",
        " \u{00B7} ",
    ] {
        if title.contains(sep) {
            let parts: Vec<&str> = title.split(sep).map(str::trim).collect();
            if let Some(site) = site {
                let rest: Vec<&str> = parts
                    .iter()
                    .copied()
                    .filter(|p| loose_key(p) != loose_key(site))
                    .collect();
                if rest.len() < parts.len() && !rest.is_empty() {
                    return rest.join(sep);
                }
            }
            return parts
                .iter()
                .copied()
                .max_by_key(|p| p.len())
                .unwrap_or(title)
                .to_string();
        }
    }
    title.to_string()
}

fn agrees(a: &str, b: &str) -> bool {
    let (ka, kb) = (loose_key(a), loose_key(b));
    !ka.is_empty() && !kb.is_empty() && (ka.contains(&kb) || kb.contains(&ka))
}

fn choose_title(blocks: &[Block], meta: &HtmlMeta) -> Option<String> {
    let hints: Vec<&str> = [
        meta.og_title.as_deref(),
        meta.ld_headline.as_deref(),
        meta.html_title.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let heads = h1s(blocks);
    if let Some(h) = heads.iter().find(|h| hints.iter().any(|t| agrees(h, t))) {
        return Some((*h).to_string());
    }
    if let Some(t) = meta.og_title.as_deref().or(meta.ld_headline.as_deref()) {
        return Some(strip_site(t, meta.site_name.as_deref()));
    }
    if heads.len() == 1 {
        return Some(heads[0].to_string());
    }
    meta.html_title
        .as_deref()
        .map(|t| strip_site(t, meta.site_name.as_deref()))
}

/// Extracts the article from a decoded page.
pub fn extract(page: &str) -> Extracted {
    let (page, flattened) = flatten_deep(page, MAX_DEPTH);
    let html = Html::parse_document(&page);
    let meta = read_meta(&html);
    let (blocks, mut notes) = walk(&html);
    if flattened > 0 {
        let reason = format!(
            "page nested deeper than {MAX_DEPTH} levels: {flattened} tags below that removed before parsing"
        );
        notes.add(&reason, "");
    }
    let tree = &html.tree;
    let chosen = choose(&html, &blocks);
    let chosen_set: HashSet<NodeId> = chosen.iter().copied().collect();
    let container = match chosen.first().and_then(|&id| element_of(tree, id)) {
        Some(e) => describe(e),
        None => "no article container found".to_string(),
    };
    let title = choose_title(&blocks, &meta);
    let title_key = title.as_deref().map(loose_key).unwrap_or_default();
    let mut kept: Vec<String> = Vec::new();
    for b in &blocks {
        let inside = !chosen_set.is_empty() && within(tree, b.owner, &chosen_set);
        let is_title = !title_key.is_empty() && loose_key(&b.text) == title_key;
        let reason = if is_title {
            None // the headline is written first, once
        } else if !inside {
            Some(if is_chrome(tree, b.owner) {
                "page navigation, header or footer outside the article".to_string()
            } else {
                format!("outside the article container ({container})")
            })
        } else if b.link_density() > 0.6
            && b.chars < 300
            && !matches!(b.kind, BlockKind::Heading(_))
        {
            Some("link list inside the article container".to_string())
        } else {
            kept.push(b.text.clone());
            None
        };
        if let Some(reason) = reason {
            notes.add(&reason, &b.text);
        }
    }
    // A JSON-LD articleBody much longer than what the page showed: the page
    // holds a teaser or renders the text with scripts.
    if let Some(body) = &meta.ld_body {
        let found: usize = kept.iter().map(|k| word_count(k)).sum();
        if word_count(body) > found * 3 / 2 + 20 {
            let reason = format!(
                "replaced by the JSON-LD articleBody ({} words against {found})",
                word_count(body)
            );
            let was: String = kept.join(" ").chars().take(160).collect();
            notes.add(&reason, &was);
            kept = body
                .split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
        }
    }
    Extracted {
        title,
        blocks: kept,
        meta,
        container,
        records: notes.into_records(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "The harbour authority said on Monday that the northern quay would close for repairs from next month, after divers found cracks in the concrete supports.";
    const P2: &str = "Engineers expect the work to take about six weeks, and ferries will use the southern berth in the meantime, the authority said.";
    const P3: &str = "Traders on the quay said they had been told little about how deliveries would reach them, and asked for a meeting.";

    fn page(body: &str) -> String {
        format!("<!DOCTYPE html><html lang=\"en\"><head><title>Quay to close | Harbour Post</title>\
                 <meta property=\"og:site_name\" content=\"Harbour Post\"></head><body>{body}</body></html>")
    }

    #[test]
    fn class_lists_load() {
        assert!(CLASSES.strong.contains_key("share"));
        assert!(CLASSES.weak.contains_key("sidebar"));
        assert!(CLASSES.content.contains_key("article"));
        assert!(!CLASSES.strong.contains_key("sidebar"));
    }

    #[test]
    fn same_reasons_are_grouped() {
        let mut n = Notes::default();
        n.add("menu", "Home");
        n.add("menu", "News");
        n.add("menu", "Sport");
        n.add("other", "x");
        let r = n.into_records();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].reason, "menu (+2 more blocks)");
        assert_eq!(r[0].text, "Home | News | Sport");
    }

    #[test]
    fn tokens_split_classes() {
        let html = Html::parse_fragment(
            "<div class=\"share-bar relatedPosts ad_slot\" id=\"Main-Story\"></div>",
        );
        let el = html
            .tree
            .nodes()
            .find_map(|n| {
                n.value()
                    .as_element()
                    .filter(|e| e.name() == "div")
                    .cloned()
            })
            .unwrap();
        let mut seen = Vec::new();
        any_token(&el, |t| {
            seen.push(t.to_string());
            false
        });
        assert_eq!(
            seen,
            ["share", "bar", "related", "posts", "ad", "slot", "main", "story"]
        );
    }

    #[test]
    fn finds_the_article_among_chrome() {
        let html = page(&format!(
            "<nav><ul><li><a href=/>Home</a></li><li><a href=/w>World</a></li></ul></nav>\
             <div class=\"share-bar\"><a>Facebook</a> <a>Twitter</a></div>\
             <main><h1>Quay to close</h1><div class=\"story\"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>\
             <div class=\"related\"><h3>Related</h3><ul><li><a href=/x>Bus lanes extended across the town centre</a></li></ul></div></main>\
             <aside><p>Sign up to our newsletter for the latest news from the harbour and beyond.</p></aside>\
             <footer><p>Copyright 2025 Harbour Post</p></footer><script>var x = 1;</script>"
        ));
        let e = extract(&html);
        assert_eq!(e.title.as_deref(), Some("Quay to close"));
        assert_eq!(e.blocks, [P1, P2, P3]);
        assert_eq!(
            e.to_text(),
            format!("Quay to close\n\n{P1}\n\n{P2}\n\n{P3}\n")
        );
        let reasons: Vec<&str> = e.records.iter().map(|r| r.reason.as_str()).collect();
        assert!(
            reasons.iter().any(|r| r.contains("\"share\"")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("\"related\"")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("outside the article")),
            "{reasons:?}"
        );
    }

    #[test]
    fn keeps_structure_lists_quotes_pre_and_breaks() {
        let html = page(&format!(
            "<article><h1>Quay to close</h1><p>{P1}</p><h2>What changes</h2><ul><li>Ferries use the south berth.</li>\
             <li>Boarding takes longer.</li></ul><blockquote><p>We would rather close it now than later, she said.</p></blockquote>\
             <p>{P2}<br>Second line of the same paragraph.</p><pre>Times:\n  08:00\n  09:30</pre><p>{P3}</p></article>"
        ));
        let e = extract(&html);
        assert_eq!(
            e.blocks,
            [
                P1,
                "What changes",
                "Ferries use the south berth.",
                "Boarding takes longer.",
                "We would rather close it now than later, she said.",
                &format!("{P2}\nSecond line of the same paragraph."),
                "Times:\n  08:00\n  09:30",
                P3
            ]
        );
    }

    #[test]
    fn hidden_and_script_content_never_appears() {
        let html = page(&format!(
            "<article><p>{P1}</p><p style=\"display: none\">Hidden promo text that should not appear.</p>\
             <p hidden>Also hidden.</p><script>document.write('x')</script><noscript>Enable JS</noscript><p>{P2}</p></article>"
        ));
        let e = extract(&html);
        assert_eq!(e.blocks, [P1, P2]);
    }

    #[test]
    fn title_from_metadata_when_no_h1() {
        let e = extract(&page(&format!("<div><p>{P1}</p><p>{P2}</p></div>")));
        assert_eq!(e.title.as_deref(), Some("Quay to close"));
    }

    #[test]
    fn page_without_article_gives_nothing() {
        let e = extract(&page(
            "<nav><a href=/>Home</a> <a href=/news>News</a></nav><footer>Copyright</footer>",
        ));
        assert!(e.blocks.is_empty());
        assert_eq!(e.container, "no article container found");
    }

    #[test]
    fn broken_and_deep_html_do_not_panic() {
        let e = extract(&format!("<html><body><div><p>{P1}<p>{P2}<div><p>{P3}"));
        assert_eq!(e.blocks.len(), 3);
        let deep = format!(
            "{}<p>{P1}</p>{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let e = extract(&deep);
        assert_eq!(e.blocks, [P1]);
        assert!(e.records.iter().any(|r| r.reason.contains("nested deeper")));
    }

    #[test]
    fn flattening_keeps_shallow_pages_and_skips_scripts() {
        let page = "<div><script>if (a < b) { x = '<div><div>'; }</script><p>Hi</p></div>";
        assert_eq!(flatten_deep(page, 2).1, 0);
        let (out, n) = flatten_deep("<div><div><div><p>x</p></div></div></div>", 2);
        assert_eq!(n, 4);
        assert_eq!(out, "<div><div>x</div></div>");
    }

    #[test]
    fn split_sections_are_joined_through_the_parent() {
        let html = page(&format!(
            "<article><div class=\"standfirst\"><p>{P1}</p></div><div class=\"body\">\
             <div class=\"section\"><p>{P2}</p></div><div class=\"ad\">Advertisement</div>\
             <div class=\"section\"><p>{P3}</p><p>{P1} Again, with more words to weigh.</p></div></div></article>"
        ));
        let e = extract(&html);
        assert_eq!(e.blocks.len(), 4, "{:?}", e.blocks);
        assert_eq!(e.blocks[0], P1);
    }

    #[test]
    fn link_lists_inside_the_container_go() {
        let html = page(&format!(
            "<div class=\"story\"><p>{P1}</p><p>{P2}</p><ul><li><a href=/a>Bus lanes extended across town</a></li>\
             <li><a href=/b>Ferry fares to rise in April</a></li></ul><p>{P3}</p></div>"
        ));
        let e = extract(&html);
        assert_eq!(e.blocks, [P1, P2, P3]);
        assert!(e
            .records
            .iter()
            .any(|r| r.reason.starts_with("link list inside")));
    }

    #[test]
    fn page_wide_form_and_classed_article_are_kept() {
        // ASP.NET pages wrap everything in one form.
        let html = page(&format!(
            "<form id=\"aspnetForm\"><div><p>{P1}</p><p>{P2}</p></div></form>"
        ));
        assert_eq!(extract(&html).blocks, [P1, P2]);
        // An <article> with a "comments" class is still the article.
        let html = page(&format!(
            "<article class=\"post has-comments\"><p>{P1}</p><p>{P2}</p></article>"
        ));
        assert_eq!(extract(&html).blocks, [P1, P2]);
    }

    #[test]
    fn weak_class_names_spare_wrappers_with_paragraphs() {
        // "sidebar" names a layout wrapper here: it holds the article.
        let html = page(&format!(
            "<div class=\"layout-with-sidebar\"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>\
             <div class=\"sidebar\"><p>Sign up for our newsletter and never miss a story from the harbour.</p></div>"
        ));
        let e = extract(&html);
        assert_eq!(e.blocks, [P1, P2, P3]);
    }

    #[test]
    fn long_sibling_paragraphs_join_the_container() {
        let html = page(&format!(
            "<div id=\"wrap\"><p>{P1}</p><div class=\"text\"><p>{P2}</p><p>{P3}</p><p>{P2}</p></div></div>"
        ));
        let e = extract(&html);
        assert!(e.blocks.contains(&P1.to_string()), "{:?}", e.blocks);
    }

    #[test]
    fn random_tag_soup_never_panics() {
        let parts = [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<a href=x>",
            "</a>",
            "<br>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<table><tr><td>",
            "</td></tr></table>",
            "<pre>",
            "</pre>",
            "<li>",
            "<h1>",
            "</h1>",
            "<div class=\"share\">",
            "<article>",
            "</article>",
            "&amp;",
            "&#x2019;",
            "<",
            ">",
            "text, words and more words.",
            "\u{e9}\u{2019}",
            "<img src=x>",
            "<style>p{}</style>",
        ];
        let mut seed = 0x1234_5678_9abc_def1u64;
        for _ in 0..2_000 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            let e = extract(&s);
            let _ = e.to_text();
        }
    }

    #[test]
    fn json_ld_body_replaces_a_teaser() {
        let long = [P1, P2, P3, P1, P2, P3].join("\\n");
        let html = page(&format!(
            "<script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\"headline\":\"Quay to close\",\"articleBody\":\"{long}\"}}</script>\
             <article><p>{P1}</p><p>Subscribe to read more.</p></article>"
        ));
        let e = extract(&html);
        assert_eq!(e.blocks.len(), 6, "{:?}", e.blocks);
    }
}
