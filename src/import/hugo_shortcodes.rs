//! Hugo shortcodes (`{{< name args >}}`, `{{% name args %}}`) in a page
//! body: translated where Grove has an equivalent (links, figures, video
//! embeds, highlighted code, details), and otherwise kept visible as
//! literal text and listed in the report. `{{</* ... */>}}`, Hugo's way of
//! showing a shortcode call, becomes the call as text.

use std::ops::Range;

use serde_json::{Map, Value};

use super::report::Report;
use crate::content::code_ranges;
use crate::html_escape::escape_html as escape_attribute;

/// What translating one page's shortcodes needs.
pub struct Page<'a> {
    /// The page's path in the source, for the report.
    pub file: &'a str,
    /// Resolves a `ref`/`relref` target to a Grove `@/` link.
    pub resolve: &'a dyn Fn(&str) -> Option<String>,
    /// The page's front matter, for `param`.
    pub params: &'a Map<String, Value>,
}

/// One shortcode tag as written.
struct Call<'t> {
    /// `{{<` (`<`) or `{{%` (`%`).
    delimiter: char,
    /// The text between the delimiters, trimmed.
    inner: &'t str,
    /// Where the whole tag is in the body.
    span: Range<usize>,
}

/// `body` with its shortcodes translated or kept as text.
pub fn translate(body: &str, page: &Page<'_>, report: &mut Report) -> String {
    if !body.contains("{{<") && !body.contains("{{%") {
        return body.to_string();
    }
    let code = code_ranges(body);
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let mut out = String::with_capacity(body.len());
    let mut done = 0;
    let mut search = 0;
    while let Some(call) = next_call(body, search) {
        out.push_str(&body[done..call.span.start]);
        done = call.span.end;
        search = call.span.end;
        if let Some(shown) = call
            .inner
            .strip_prefix("/*")
            .and_then(|i| i.strip_suffix("*/"))
        {
            let (open, close) = if call.delimiter == '<' {
                ("{{<", ">}}")
            } else {
                ("{{%", "%}}")
            };
            out.push_str(&format!("{open} {} {close}", shown.trim()));
            continue;
        }
        if in_code(call.span.start) {
            out.push_str(&body[call.span.clone()]);
            continue;
        }
        let (name, args) = parse_call(call.inner);
        let paired = matches!(name.as_str(), "highlight" | "details" | "comment");
        if !paired
            && !KNOWN.contains(&name.as_str())
            && !name.starts_with('/')
            && link_like(&args).is_none()
            && let Some((_, end)) = closing(body, call.span.end, &name)
        {
            // An unknown shortcode with a body: the whole of it, body too,
            // is kept as text (a body can hold template code or HTML that
            // would otherwise render live).
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&code_block(&body[call.span.start..end]));
            done = end;
            search = end;
            report.attention(
                page.file,
                format!("shortcode `{name}` has no Grove equivalent and is kept as text, with its body; write it as HTML or as a Grove shortcode (templates/shortcodes/)"),
            );
            continue;
        }
        let inner = if paired {
            match closing(body, call.span.end, &name) {
                Some((inner, end)) => {
                    done = end;
                    search = end;
                    Some(inner)
                }
                None => None,
            }
        } else {
            None
        };
        match translate_call(&name, &args, inner, page) {
            Ok(text) => {
                out.push_str(&text);
                if !KNOWN.contains(&name.as_str()) {
                    let dropped: Vec<&str> = args
                        .iter()
                        .filter_map(|(k, _)| k.as_deref())
                        .filter(|k| !LINK_KEYS.contains(k))
                        .collect();
                    let more = if dropped.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; its {} not shown",
                            dropped
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                                + if dropped.len() == 1 { " is" } else { " are" }
                        )
                    };
                    let message = format!(
                        "shortcode `{name}` (a theme's button or product pick) became a link{more}"
                    );
                    if dropped.is_empty() {
                        report.changed(page.file, message);
                    } else {
                        report.attention(page.file, message);
                    }
                } else if !matches!(name.as_str(), "ref" | "relref") {
                    report.changed(
                        page.file,
                        format!("shortcode `{name}` written as Markdown or HTML"),
                    );
                }
            }
            Err(why) => {
                out.push_str(&literal(&body[call.span.clone()]));
                if let Some(inner) = inner {
                    out.push_str(inner);
                    out.push_str(&literal(&format!("{{{{< /{name} >}}}}")));
                }
                if let Some(why) = why {
                    report.attention(page.file, why);
                }
            }
        }
    }
    out.push_str(&body[done..]);
    out
}

/// The next shortcode tag at or after `from`.
fn next_call(body: &str, from: usize) -> Option<Call<'_>> {
    let mut at = from;
    loop {
        let start = at + body.get(at..)?.find("{{")?;
        let delimiter = match body.as_bytes().get(start + 2) {
            Some(b'<') => '<',
            Some(b'%') => '%',
            _ => {
                at = start + 2;
                continue;
            }
        };
        let close = if delimiter == '<' { ">}}" } else { "%}}" };
        let inner_start = start + 3;
        let end = inner_start + body[inner_start..].find(close)?;
        return Some(Call {
            delimiter,
            inner: body[inner_start..end].trim(),
            span: start..end + close.len(),
        });
    }
}

/// The text up to the closing tag of `name` after `from`, and the end of
/// that tag.
fn closing<'b>(body: &'b str, from: usize, name: &str) -> Option<(&'b str, usize)> {
    let mut search = from;
    while let Some(call) = next_call(body, search) {
        if call
            .inner
            .strip_prefix('/')
            .is_some_and(|n| n.trim() == name)
        {
            return Some((&body[from..call.span.start], call.span.end));
        }
        search = call.span.end;
    }
    None
}

/// A shortcode's name and its arguments: positional (`None`) or named.
fn parse_call(inner: &str) -> (String, Vec<(Option<String>, String)>) {
    let inner = inner.strip_suffix('/').unwrap_or(inner).trim();
    let mut chars = inner.char_indices().peekable();
    let mut tokens: Vec<String> = Vec::new();
    while let Some(&(_, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '"' || c == '`' {
                let quote = c;
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    match c {
                        '\\' if quote == '"' && !escaped => escaped = true,
                        c if c == quote && !escaped => break,
                        c => {
                            token.push(c);
                            escaped = false;
                        }
                    }
                }
            } else {
                token.push(c);
            }
        }
        tokens.push(token);
    }
    let name = if tokens.is_empty() {
        String::new()
    } else {
        tokens.remove(0)
    };
    let args = tokens
        .into_iter()
        .map(|t| match t.split_once('=') {
            Some((key, value))
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                (Some(key.to_string()), value.to_string())
            }
            _ => (None, t),
        })
        .collect();
    (name, args)
}

/// Named argument `key`, or positional argument `position`.
fn arg<'a>(args: &'a [(Option<String>, String)], key: &str, position: usize) -> Option<&'a str> {
    args.iter()
        .find(|(k, _)| k.as_deref() == Some(key))
        .or_else(|| args.iter().filter(|(k, _)| k.is_none()).nth(position))
        .map(|(_, v)| v.as_str())
}

/// The Grove text for a shortcode, or why it is kept as text (`None`
/// for a closing tag, whose opening tag said it).
fn translate_call(
    name: &str,
    args: &[(Option<String>, String)],
    inner: Option<&str>,
    page: &Page<'_>,
) -> Result<String, Option<String>> {
    let missing = |what: &str| Some(format!("shortcode `{name}` without {what} is kept as text"));
    Ok(match name {
        "ref" | "relref" => {
            let target = arg(args, "path", 0).ok_or_else(|| missing("a path"))?;
            (page.resolve)(target).ok_or_else(|| {
                Some(format!(
                    "`{name} \"{target}\"` matches no content file; kept as text"
                ))
            })?
        }
        "figure" => figure(args).ok_or_else(|| missing("`src`"))?,
        "youtube" => {
            let id = arg(args, "id", 0).ok_or_else(|| missing("an id"))?;
            let title = arg(args, "title", usize::MAX).unwrap_or("YouTube video");
            format!(
                "<iframe class=\"video\" src=\"https://www.youtube-nocookie.com/embed/{}\" title=\"{}\" loading=\"lazy\" allowfullscreen></iframe>",
                escape_attribute(id),
                escape_attribute(title)
            )
        }
        "vimeo" => {
            let id = arg(args, "id", 0).ok_or_else(|| missing("an id"))?;
            let title = arg(args, "title", usize::MAX).unwrap_or("Vimeo video");
            format!(
                "<iframe class=\"video\" src=\"https://player.vimeo.com/video/{}\" title=\"{}\" loading=\"lazy\" allowfullscreen></iframe>",
                escape_attribute(id),
                escape_attribute(title)
            )
        }
        "gist" => {
            let user = arg(args, "user", 0).ok_or_else(|| missing("a user"))?;
            let id = arg(args, "id", 1).ok_or_else(|| missing("an id"))?;
            let file = arg(args, "file", 2)
                .map(|f| format!("?file={}", escape_attribute(f)))
                .unwrap_or_default();
            format!(
                "<script src=\"https://gist.github.com/{}/{}.js{file}\"></script>",
                escape_attribute(user),
                escape_attribute(id)
            )
        }
        "tweet" | "x" | "twitter" => {
            let (user, id) = match (arg(args, "user", usize::MAX), arg(args, "id", usize::MAX)) {
                (Some(user), Some(id)) => (user.to_string(), id.to_string()),
                _ => (
                    "i".to_string(),
                    arg(args, "id", 0)
                        .ok_or_else(|| missing("an id"))?
                        .to_string(),
                ),
            };
            format!(
                "<blockquote class=\"twitter-tweet\"><a href=\"https://x.com/{}/status/{}\">View the post on X</a></blockquote>",
                escape_attribute(&user),
                escape_attribute(&id)
            )
        }
        "instagram" => {
            let id = arg(args, "id", 0).ok_or_else(|| missing("an id"))?;
            format!(
                "<a href=\"https://www.instagram.com/p/{}/\">View the post on Instagram</a>",
                escape_attribute(id)
            )
        }
        "highlight" => {
            let inner = inner.ok_or_else(|| missing("its closing tag"))?;
            let language = arg(args, "lang", 0).unwrap_or_default();
            format!("```{language}\n{}\n```", inner.trim_matches('\n'))
        }
        "details" => {
            let inner = inner.ok_or_else(|| missing("its closing tag"))?;
            let summary = arg(args, "summary", 0).unwrap_or("Details");
            let open = if arg(args, "open", 1).is_some_and(|o| o == "true") {
                " open"
            } else {
                ""
            };
            format!(
                "<details{open}>\n<summary>{}</summary>\n\n{}\n\n</details>",
                escape_attribute(summary),
                inner.trim_matches('\n')
            )
        }
        "comment" => format!(
            "<!--{}-->",
            inner
                .ok_or_else(|| missing("its closing tag"))?
                .replace("--", "- -")
        ),
        "param" => {
            let key = arg(args, "name", 0).ok_or_else(|| missing("a name"))?;
            let value = page
                .params
                .get(key)
                .or_else(|| page.params.get("params")?.get(key))
                .and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                });
            value.ok_or_else(|| {
                Some(format!(
                    "`param \"{key}\"` is not a value of this page; kept as text"
                ))
            })?
        }
        closing if closing.starts_with('/') => return Err(None),
        _ if link_like(args).is_some() => {
            let (label, url) = link_like(args).expect("checked");
            format!(
                "[{}]({})",
                label.replace(['[', ']'], ""),
                url.replace(' ', "%20")
            )
        }
        _ => {
            return Err(Some(format!(
                "shortcode `{name}` has no Grove equivalent and is kept as text; write it as HTML or as a Grove shortcode (templates/shortcodes/)"
            )));
        }
    })
}

/// Shortcodes [`translate_call`] writes as Markdown or HTML.
const KNOWN: &[&str] = &[
    "ref",
    "relref",
    "figure",
    "youtube",
    "vimeo",
    "gist",
    "tweet",
    "x",
    "twitter",
    "instagram",
    "highlight",
    "details",
    "comment",
    "param",
];

/// The arguments a link-like shortcode becomes a link from.
const LINK_KEYS: &[&str] = &[
    "url", "link", "href", "text", "label", "title", "name", "button", "cta",
];

/// A theme's button or link shortcode (`{{< cta-button url="..." text="Check
/// price" >}}`, a product pick with a `name` and `url`): its label and
/// URL, written as a Markdown link (an affiliate link then goes through
/// the registry).
fn link_like(args: &[(Option<String>, String)]) -> Option<(String, String)> {
    let named = |key: &str| {
        args.iter()
            .find(|(k, _)| k.as_deref() == Some(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let url = ["url", "link", "href"]
        .iter()
        .find_map(|k| named(k))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/'))?;
    let label = ["text", "label", "title", "name", "button", "cta"]
        .iter()
        .find_map(|k| named(k))
        .unwrap_or("Link");
    Some((label.to_string(), url.to_string()))
}

/// `text` as a fenced code block (a fence longer than any run of
/// backticks in it).
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", text.trim_end())
}

/// Hugo's `figure` as an HTML figure.
fn figure(args: &[(Option<String>, String)]) -> Option<String> {
    let src = arg(args, "src", usize::MAX)?;
    let mut img = format!("<img src=\"{}\"", escape_attribute(src));
    for key in ["alt", "width", "height", "class"] {
        if let Some(value) = arg(args, key, usize::MAX) {
            let attribute = if key == "class" { "class" } else { key };
            img.push_str(&format!(" {attribute}=\"{}\"", escape_attribute(value)));
        }
    }
    if arg(args, "alt", usize::MAX).is_none() {
        img.push_str(" alt=\"\"");
    }
    img.push('>');
    if let Some(link) = arg(args, "link", usize::MAX) {
        img = format!("<a href=\"{}\">{img}</a>", escape_attribute(link));
    }
    let caption: Vec<String> = [
        ("title", "<strong>", "</strong>"),
        ("caption", "", ""),
        ("attr", "", ""),
    ]
    .iter()
    .filter_map(|&(key, open, close)| {
        arg(args, key, usize::MAX).map(|v| format!("{open}{}{close}", escape_attribute(v)))
    })
    .collect();
    let caption = if caption.is_empty() {
        String::new()
    } else {
        format!("<figcaption>{}</figcaption>", caption.join(" "))
    };
    Some(format!("<figure>{img}{caption}</figure>"))
}

/// `tag` as a code span: visible, and never evaluated.
fn literal(tag: &str) -> String {
    let fence = if tag.contains('`') { "``" } else { "`" };
    format!("{fence}{tag}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> (String, Report) {
        let mut report = Report::default();
        let params = serde_json::from_str(r#"{"params": {"edition": "3rd"}}"#).unwrap();
        let resolve = |target: &str| {
            (target.trim_end_matches(".md") == "posts/other")
                .then(|| "@/posts/other.md".to_string())
        };
        let page = Page {
            file: "posts/a.md",
            resolve: &resolve,
            params: &params,
        };
        (translate(body, &page, &mut report), report)
    }

    #[test]
    fn known_shortcodes_become_markdown_or_html() {
        let (out, report) = run(
            "See [other]({{< ref \"posts/other\" >}}).\n\n{{< figure src=\"a.png\" alt=\"A \\\"b\\\"\" caption=\"Cap\" >}}\n\n{{< youtube dQw4w9WgXcQ >}}\n\n{{< highlight go \"linenos=table\" >}}\nfmt.Println()\n{{< / highlight >}}\n\nEdition {{< param \"edition\" >}}.\n",
        );
        assert!(out.contains("[other](@/posts/other.md)"), "{out}");
        assert!(out.contains("<figure><img src=\"a.png\" alt=\"A &quot;b&quot;\"><figcaption>Cap</figcaption></figure>"), "{out}");
        assert!(
            out.contains("youtube-nocookie.com/embed/dQw4w9WgXcQ"),
            "{out}"
        );
        assert!(out.contains("```go\nfmt.Println()\n```"), "{out}");
        assert!(out.contains("Edition 3rd."), "{out}");
        assert!(report.attention.is_empty(), "{:?}", report.attention);
    }

    #[test]
    fn unknown_shortcodes_stay_visible_and_are_listed() {
        let (out, report) = run(
            "{{< notice warning >}}\nCareful.\n{{< /notice >}}\n\n[x]({{< ref \"nowhere\" >}})\n",
        );
        // The whole of a shortcode with a body, body too, is text: a body
        // can hold template code or HTML that must not render live.
        assert!(
            out.starts_with("```text\n{{< notice warning >}}\nCareful.\n{{< /notice >}}\n```\n"),
            "{out}"
        );
        assert!(out.contains("`{{< ref \"nowhere\" >}}`"), "{out}");
        assert_eq!(report.attention.len(), 2, "{:?}", report.attention);
    }

    #[test]
    fn button_and_pick_shortcodes_become_links() {
        let (out, report) = run(
            "{{< cta-button url=\"https://www.amazon.com/dp/B0DGJ9HD5V?tag=x-20\" text=\"Check Price on Amazon\" >}}\n{{< pick name=\"Weber Kettle\" url=\"https://amzn.to/3abc\" price=\"$199\" >}}",
        );
        assert!(
            out.contains("[Check Price on Amazon](https://www.amazon.com/dp/B0DGJ9HD5V?tag=x-20)"),
            "{out}"
        );
        assert!(
            out.contains("[Weber Kettle](https://amzn.to/3abc)"),
            "{out}"
        );
        let attention: Vec<&str> = report
            .attention
            .iter()
            .map(|i| i.message.as_str())
            .collect();
        assert_eq!(
            attention,
            [
                "shortcode `pick` (a theme's button or product pick) became a link; its `price` is not shown"
            ]
        );
    }

    #[test]
    fn escaped_calls_print_the_call_and_code_is_left_alone() {
        let (out, report) =
            run("Use {{</* figure src=\"x\" */>}}.\n\n```\n{{< youtube abc >}}\n```\n");
        assert!(out.contains("Use {{< figure src=\"x\" >}}."), "{out}");
        assert!(out.contains("```\n{{< youtube abc >}}\n```"), "{out}");
        assert!(report.attention.is_empty());
    }
}
