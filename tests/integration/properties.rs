//! Property tests: thousands of generated inputs per run through front
//! matter splitting and parsing, Markdown rendering, the draft sanitizer,
//! slug and URL handling, path resolution and the output folder check. None
//! may panic, and each keeps the promise written on it. A failure found
//! here is kept as a plain test (see the end of the file).

use std::path::{Component, Path, PathBuf};

use grove::content::PageMeta;
use grove::content::front_matter::{parse_fields, split};
use grove::content::markdown::{LinkResolver, MarkdownOptions, SourceRef, render};
use grove::content::sanitize::{sanitize_html, sanitize_markdown};
use grove::html_scan::percent_decode;
use grove::output::check_output_dir;
use grove::serve::{Resolved, resolve};
use grove::web_url::{check_url_template, check_web_url, encode_path};
use proptest::prelude::*;
use scraper::Html;

/// Pieces hostile or unusual input is made of: markup, Markdown syntax,
/// schemes and their disguises, multibyte and case-changing characters.
const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "=",
    "\"",
    "'",
    " ",
    "\n",
    "\n\n",
    "\t",
    "\r\n",
    "&",
    "&#",
    ";",
    "#",
    "x",
    "a",
    "b",
    "p",
    "div",
    "img",
    "svg",
    "math",
    "script",
    "SCRIPT",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "set",
    "animate",
    "href",
    "src",
    "srcdoc",
    "xlink:href",
    "formaction",
    "onload",
    "onclick",
    "OnError",
    "style=",
    "javascript:",
    "JaVaScRiPt:",
    "java&#x73;cript:",
    "java&#115cript:",
    "javascript&colon;",
    "java\tscript:",
    "vbscript:",
    "data:text/html,",
    "data:",
    "https://a.example/",
    "http:",
    "mailto:a@b",
    "aff:x",
    "@/a.md",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "[r]: ",
    "`",
    "```",
    "~~~",
    "*",
    "_",
    "|",
    "-",
    ">",
    "    ",
    "+++",
    "---",
    "\\",
    "%",
    "%2e",
    "%00",
    "\u{0}",
    "Ω",
    "İ",
    "ﬁ",
    "ß",
    "é",
    "日本",
    "\u{feff}",
    "\u{2028}",
    "\u{200b}",
];

/// A string of `PIECES` and arbitrary characters.
fn soup(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

struct Links;

impl LinkResolver for Links {
    fn resolve(&self, target: &str) -> Result<String, String> {
        if target.ends_with(".md") {
            Ok("/a/".into())
        } else {
            Err("no such page".into())
        }
    }

    fn affiliate(&self, slug: &str) -> Result<String, String> {
        Ok(format!(
            "href=\"/go/{}/\" rel=\"sponsored\"",
            encode_path(slug)
        ))
    }
}

fn render_markdown(body: &str) -> Option<String> {
    let source = SourceRef {
        path: Path::new("a.md"),
        rel: "a.md",
        body_line: 1,
        has_cover: false,
    };
    render(body, source, MarkdownOptions::default(), &Links, None)
        .ok()
        .map(|rendered| rendered.html)
}

/// Elements that must never come out of a sanitized draft. (SVG's `set`
/// and `animate` are inert outside an `svg` element, which is dropped.)
const DANGEROUS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "template", "frame", "frameset",
    "applet", "base", "form", "meta", "link", "svg", "math",
];

/// What a browser would find unsafe in `html`, parsed as a browser does.
fn unsafe_parts(html: &str) -> Vec<String> {
    let document = Html::parse_fragment(html);
    let mut found = Vec::new();
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name().to_ascii_lowercase();
        if DANGEROUS.contains(&name.as_str()) {
            found.push(format!("<{name}>"));
        }
        for (attribute, value) in element.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            if attribute.starts_with("on") || attribute == "srcdoc" {
                found.push(format!("{name} {attribute}"));
            }
            let url = [
                "href",
                "src",
                "action",
                "formaction",
                "poster",
                "background",
            ];
            if url.contains(&attribute.as_str()) {
                let safe = browser_scheme(value)
                    .is_none_or(|s| ["http", "https", "mailto", "tel"].contains(&s.as_str()));
                if !safe {
                    found.push(format!("{name} {attribute}={value}"));
                }
            }
        }
    }
    found
}

/// The scheme a browser finds in URL `value` (WHATWG URL parsing): leading
/// and trailing C0 controls and spaces stripped, tabs and newlines removed,
/// then an ASCII letter and letters, digits, `+`, `-`, `.` up to a `:`.
/// `None` for a relative URL.
fn browser_scheme(value: &str) -> Option<String> {
    let c0_or_space = |c: char| c <= ' ';
    let cleaned: String = value
        .trim_matches(c0_or_space)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// `path` with `.` and `..` applied, as the file system would in a tree
/// without symbolic links.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn splitting_front_matter_never_panics_and_keeps_the_text(text in soup(30)) {
        if let Ok(parts) = split(Path::new("a.md"), &text) {
            prop_assert!(text.ends_with(parts.body));
            prop_assert!(text.contains(parts.front_matter));
            prop_assert!(parts.body_line >= parts.front_matter_line);
            // The body's first line, as error messages give it (an empty
            // body has none).
            if !parts.body.is_empty() {
                let before_body = &text[..text.len() - parts.body.len()];
                let lines = before_body.matches('\n').count() + 1;
                prop_assert_eq!(parts.body_line, lines);
            }
            if let Ok(fields) = parse_fields(Path::new("a.md"), &parts) {
                let _ = PageMeta::from_fields(fields, &["tags"]);
            }
        }
    }

    #[test]
    fn front_matter_after_blank_lines_is_always_read(
        blank in proptest::collection::vec(prop_oneof![Just("\n"), Just(" \n"), Just("\t\r\n")], 0..5),
        toml in any::<bool>(),
        title in "[A-Za-z0-9 ]{1,20}",
        body in soup(10),
    ) {
        let text = if toml {
            format!("{}+++\ntitle = \"{title}\"\ndraft = true\n+++\n{body}", blank.concat())
        } else {
            format!("{}---\ntitle: \"{title}\"\ndraft: true\n---\n{body}", blank.concat())
        };
        let parts = split(Path::new("a.md"), &text).unwrap();
        let meta = PageMeta::from_fields(parse_fields(Path::new("a.md"), &parts).unwrap(), &[]).unwrap();
        prop_assert!(meta.draft);
        prop_assert_eq!(meta.title, title);
        prop_assert_eq!(parts.body, body.as_str());
    }

    #[test]
    fn parsing_any_front_matter_never_panics(
        lines in proptest::collection::vec(
            (
                proptest::sample::select(&["title", "draft", "date", "slug", "aliases", "tags", "extra", "weight", "[extra]", "- ", "a.b", "\"k\""][..]),
                proptest::sample::select(&[" = ", ": ", "=", ":", " "][..]),
                soup(6),
            ),
            0..8,
        ),
        yaml in any::<bool>(),
    ) {
        let fence = if yaml { "---" } else { "+++" };
        let inner: String = lines.iter().map(|(k, sep, v)| format!("{k}{sep}{v}\n")).collect();
        let text = format!("{fence}\n{inner}{fence}\nbody");
        if let Ok(parts) = split(Path::new("a.md"), &text)
            && let Ok(fields) = parse_fields(Path::new("a.md"), &parts)
            && let Ok(meta) = PageMeta::from_fields(fields, &["tags"])
            && let Some(slug) = &meta.slug
        {
            prop_assert!(!slug.contains('/') && slug != ".." && slug != "." && !slug.is_empty());
        }
    }

    #[test]
    fn sanitize_html_never_panics(html in soup(40)) {
        let _ = sanitize_html(&html);
    }

    #[test]
    fn paths_encode_to_plain_ascii_and_decode_back(path in "/[^\u{0}]{0,30}") {
        let encoded = encode_path(&path);
        prop_assert!(encoded.is_ascii());
        let forbidden = |c: char| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c);
        prop_assert!(!encoded.chars().any(forbidden), "{}", encoded);
        let decoded = percent_decode(&encoded);
        prop_assert_eq!(decoded.as_deref(), Some(path.as_str()));
    }

    #[test]
    fn accepted_urls_are_plain_http_urls(url in soup(12)) {
        let _ = percent_decode(&url);
        let _ = check_url_template(&url);
        if check_web_url(&url).is_ok() {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
            prop_assert!(!url.chars().any(|c| c.is_whitespace() || c.is_control() || "\"<>".contains(c)));
        }
    }

    #[test]
    fn slugs_are_url_segments_or_empty(name in soup(10)) {
        let slug = slug::slugify(&name);
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn rendering_any_markdown_never_panics_or_emits_nul(body in soup(40)) {
        if let Some(html) = render_markdown(&body) {
            prop_assert!(!html.contains('\0'));
        }
    }

    #[test]
    fn sanitized_drafts_render_without_anything_that_runs(body in soup(40)) {
        let clean = sanitize_markdown(&body);
        if let Some(html) = render_markdown(&clean) {
            let found = unsafe_parts(&html);
            prop_assert!(found.is_empty(), "{:?} in {:?} from {:?}", found, html, clean);
        }
    }

    #[test]
    fn the_preview_never_serves_a_file_outside_the_site(path in soup(12)) {
        let site = site_folder();
        let root = site.canonicalize().unwrap();
        if let Resolved::File(file) = resolve(&site, &format!("/{path}")) {
            prop_assert!(file.starts_with(&root), "{}", file.display());
        }
        let _ = resolve(&site, &path);
    }

    #[test]
    fn output_folders_in_the_sources_are_always_refused(
        segments in proptest::collection::vec(
            proptest::sample::select(&[".", "..", "sites", "content", "themes", "prompts", ".grove", "public", "out", "a"][..]),
            0..6,
        ),
    ) {
        let (root, inputs) = network_folder();
        let out = root.join(segments.join("/"));
        let resolved = normalize(&out);
        let expected_refusal = root.starts_with(&resolved)
            || inputs.iter().any(|name| {
                let input = root.join(name);
                resolved.starts_with(&input) || input.starts_with(&resolved)
            });
        let result = check_output_dir(&out, "--output", &root, &inputs);
        prop_assert_eq!(result.is_err(), expected_refusal, "{}", out.display());
    }
}

/// A site folder with a page and a folder, shared by the cases of a run.
fn site_folder() -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/guides")).unwrap();
        std::fs::write(dir.path().join("site/index.html"), "home").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
        dir
    });
    dir.path().join("site")
}

/// A network folder (real folders, no symbolic links) and its inputs.
fn network_folder() -> (PathBuf, [&'static str; 5]) {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["net/sites/a", "net/content/a", "net/themes", "net/public/a"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        dir
    });
    let root = dir.path().canonicalize().unwrap().join("net");
    (root, ["sites", "content", "themes", "prompts", ".grove"])
}

// Failures the properties found, kept as plain tests.

#[test]
fn a_nul_in_a_body_renders_as_the_replacement_character() {
    let html = render_markdown("a\0b").unwrap();
    assert_eq!(html.trim(), "<p>a\u{FFFD}b</p>");
}

#[test]
fn sanitizer_inputs_the_properties_caught() {
    for body in [
        // A dropped tag turned what followed into an autolink.
        "<![CDATA[<xlink:href>",
        // NUL, replaced at render time, made this an autolink.
        "<<javascript:\0>",
        // An image cannot be an affiliate link.
        "![](aff:x)",
        // Parsed with other extensions than the renderer's, this was no link.
        "[](\n:)",
        // DEL before a scheme: a relative URL to browsers (the oracle was wrong).
        "[](\u{7f}https://a.example/)",
        "[](\u{7f}javascript:alert(1))",
    ] {
        let clean = sanitize_markdown(body);
        let html = render_markdown(&clean).unwrap();
        assert_eq!(
            unsafe_parts(&html),
            Vec::<String>::new(),
            "{body:?} -> {html}"
        );
    }
}
