//! Metadata of an HTML page: title, author, publication date, site name,
//! canonical URL and language, from meta tags, JSON-LD and the markup.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde_json::Value;

/// What the page says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlMeta {
    pub html_title: Option<String>,
    pub og_title: Option<String>,
    pub ld_headline: Option<String>,
    /// JSON-LD `articleBody`, paragraphs separated by `\n`.
    pub ld_body: Option<String>,
    pub author: Option<String>,
    /// Publication date, ISO 8601 (`2025-03-06`).
    pub date: Option<String>,
    pub site_name: Option<String>,
    pub canonical: Option<String>,
    pub language: Option<String>,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static META: LazyLock<Selector> = LazyLock::new(|| sel("meta"));
static LINK: LazyLock<Selector> = LazyLock::new(|| sel("link[rel], a[rel]"));
static LD: LazyLock<Selector> = LazyLock::new(|| sel("script[type]"));
static TIME: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime]"));

fn clean(s: &str) -> Option<String> {
    let t = html_escape::decode_html_entities(s);
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// The date part of an ISO 8601 timestamp ("2025-03-06T10:00:00Z").
pub fn iso_date(s: &str) -> Option<String> {
    let d = s.trim().get(..10)?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then(|| d.to_string())
}

fn is_article_type(v: &Value) -> bool {
    let t = |s: &str| {
        matches!(
            s,
            "NewsArticle"
                | "Article"
                | "ReportageNewsArticle"
                | "AnalysisNewsArticle"
                | "OpinionNewsArticle"
                | "BlogPosting"
                | "LiveBlogPosting"
                | "BackgroundNewsArticle"
                | "ReviewNewsArticle"
        )
    };
    match v.get("@type") {
        Some(Value::String(s)) => t(s),
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str().is_some_and(t)),
        _ => false,
    }
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Object(_) => v.get("name").and_then(Value::as_str).and_then(clean),
        Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(name_of).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// Article objects in a JSON-LD value (top level, arrays, `@graph`).
fn articles(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| articles(x, out)),
        Value::Object(o) => {
            if is_article_type(v) {
                out.push(v.clone());
            }
            if let Some(g) = o.get("@graph") {
                articles(g, out);
            }
        }
        _ => {}
    }
}

pub fn read_meta(html: &Html) -> HtmlMeta {
    let mut m = HtmlMeta {
        html_title: html
            .select(&TITLE)
            .next()
            .and_then(|t| clean(&t.text().collect::<String>())),
        language: html.root_element().attr("lang").and_then(clean),
        ..HtmlMeta::default()
    };
    for meta in html.select(&META) {
        let key = meta
            .attr("property")
            .or_else(|| meta.attr("name"))
            .or_else(|| meta.attr("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let Some(content) = meta.attr("content").and_then(clean) else {
            continue;
        };
        match key.as_str() {
            "og:title" | "twitter:title" => {
                m.og_title.get_or_insert(content);
            }
            "author" | "article:author" | "byl" | "dc.creator" | "sailthru.author"
            | "parsely-author"
                if !content.starts_with("http") =>
            {
                m.author
                    .get_or_insert(content.trim_start_matches("By ").to_string());
            }
            "article:published_time"
            | "datepublished"
            | "date"
            | "pubdate"
            | "publishdate"
            | "publish-date"
            | "dc.date"
            | "dc.date.issued"
            | "sailthru.date"
            | "parsely-pub-date"
            | "og:published_time" => {
                if let Some(d) = iso_date(&content) {
                    m.date.get_or_insert(d);
                }
            }
            "og:site_name" | "application-name" => {
                m.site_name.get_or_insert(content);
            }
            "og:url" => {
                m.canonical.get_or_insert(content);
            }
            _ => {}
        }
    }
    for link in html.select(&LINK) {
        let rel = link.attr("rel").unwrap_or("").to_ascii_lowercase();
        if rel.split_whitespace().any(|r| r == "canonical") {
            if let Some(h) = link.attr("href").and_then(clean) {
                m.canonical = Some(h);
            }
        } else if rel.split_whitespace().any(|r| r == "author")
            && m.author.is_none()
            && link.value().name() == "a"
        {
            m.author = clean(&link.text().collect::<String>());
        }
    }
    for script in html.select(&LD) {
        if !script
            .attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json"))
        {
            continue;
        }
        let src: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(src.trim()) else {
            continue;
        };
        let mut found = Vec::new();
        articles(&v, &mut found);
        for a in found {
            if m.ld_headline.is_none() {
                m.ld_headline = a.get("headline").and_then(Value::as_str).and_then(clean);
            }
            if m.ld_body.is_none() {
                m.ld_body = a
                    .get("articleBody")
                    .and_then(Value::as_str)
                    .map(|b| html_escape::decode_html_entities(b).trim().to_string())
                    .filter(|b| !b.is_empty());
            }
            if m.author.is_none() {
                m.author = a.get("author").and_then(name_of);
            }
            if m.date.is_none() {
                m.date = a
                    .get("datePublished")
                    .and_then(Value::as_str)
                    .and_then(iso_date);
            }
            if m.site_name.is_none() {
                m.site_name = a.get("publisher").and_then(name_of);
            }
        }
    }
    if m.date.is_none() {
        m.date = html
            .select(&TIME)
            .find_map(|t| t.attr("datetime").and_then(iso_date));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta_tags_json_ld_and_markup() {
        let html = Html::parse_document(
            r#"<html lang="en-GB"><head><title>Quay to close | Harbour Post</title>
            <meta property="og:title" content="Quay to close">
            <meta property="og:site_name" content="Harbour Post">
            <meta property="article:published_time" content="2025-03-03T09:15:00+00:00">
            <link rel="canonical" href="https://harbourpost.example/news/quay">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},
              {"@type":"NewsArticle","headline":"Quay to close for repairs","author":[{"@type":"Person","name":"Tom Reyes"}],
               "articleBody":"One.\nTwo.","publisher":{"@type":"Organization","name":"Harbour Post Ltd"}}]}</script>
            </head><body></body></html>"#,
        );
        let m = read_meta(&html);
        assert_eq!(
            m.html_title.as_deref(),
            Some("Quay to close | Harbour Post")
        );
        assert_eq!(m.og_title.as_deref(), Some("Quay to close"));
        assert_eq!(m.ld_headline.as_deref(), Some("Quay to close for repairs"));
        assert_eq!(m.author.as_deref(), Some("Tom Reyes"));
        assert_eq!(m.date.as_deref(), Some("2025-03-03"));
        assert_eq!(m.site_name.as_deref(), Some("Harbour Post"));
        assert_eq!(
            m.canonical.as_deref(),
            Some("https://harbourpost.example/news/quay")
        );
        assert_eq!(m.language.as_deref(), Some("en-GB"));
        assert_eq!(m.ld_body.as_deref(), Some("One.\nTwo."));
    }

    #[test]
    fn meta_author_and_time_element() {
        let html = Html::parse_document(
            r#"<head><meta name="author" content="Jane Doe"></head><body><time datetime="2024-11-05">5 Nov</time></body>"#,
        );
        let m = read_meta(&html);
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(m.date.as_deref(), Some("2024-11-05"));
        assert_eq!(iso_date("2024-1-05"), None);
    }
}
