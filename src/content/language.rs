//! Language suffixes in content file names, as Zola and Hugo write
//! translations: `post.fr.md`, `_index.zh-cn.md`. Grove builds one language
//! per site: a file in the site's own language is the page itself; a file
//! in another language is left out, and the build says so.

/// ISO 639-1 codes: a suffix is a language only if it starts with one, so
/// that `v1.2.md` or `notes.js.md` keep their names.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// The language suffix of a Markdown file's name, if it has one:
/// `blog/post.fr.md` -> `fr`, `_index.pt-br.md` -> `pt-br`.
pub fn suffix(rel: &str) -> Option<&str> {
    let stem = rel.strip_suffix(".md")?;
    let name = &stem[stem.rfind('/').map_or(0, |i| i + 1)..];
    let (base, language) = name.rsplit_once('.')?;
    if base.is_empty() {
        return None;
    }
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    let region_ok = language[primary.len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (primary.len() == 2 && region_ok && ISO_639_1.split(' ').any(|code| code == primary))
        .then_some(language)
}

/// `rel` without its language suffix: `blog/post.fr.md` -> `blog/post.md`.
pub fn strip(rel: &str) -> String {
    match suffix(rel) {
        Some(language) => format!(
            "{}.md",
            &rel[..rel.len() - ".md".len() - language.len() - 1]
        ),
        None => rel.to_string(),
    }
}

/// Whether two language tags name the same language (`en` and `en-GB`).
pub fn same(a: &str, b: &str) -> bool {
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    primary(a) == primary(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_iso_languages_only() {
        assert_eq!(suffix("blog/post.fr.md"), Some("fr"));
        assert_eq!(suffix("_index.pt-br.md"), Some("pt-br"));
        assert_eq!(suffix("post.md"), None);
        assert_eq!(suffix("v1.2.md"), None);
        assert_eq!(suffix("notes.js.md"), None);
        assert_eq!(suffix("a.b/post.md"), None);
        assert_eq!(suffix(".fr.md"), None);
        assert_eq!(strip("blog/_index.fr.md"), "blog/_index.md");
        assert_eq!(strip("blog/post.md"), "blog/post.md");
        assert!(same("en", "en-GB") && !same("en", "fr"));
    }
}
