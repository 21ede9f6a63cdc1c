//! Serving built files safely: URL paths are decoded and checked so nothing
//! outside a site's folder can be read (no `..`, encoded or not; no
//! absolute paths; no symlinks out), directories serve `index.html`, and the
//! live-reload script goes into HTML only.

use std::path::{Path, PathBuf};

use crate::html_scan::percent_decode;

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file inside the site.
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect here.
    Redirect(String),
    /// Nothing there (serve the site's 404 page).
    NotFound,
    /// A path that tries to leave the site.
    Forbidden,
}

/// Resolves URL path `path` (as received, still percent-encoded) against
/// the site folder `root`.
pub fn resolve(root: &Path, path: &str) -> Resolved {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let Some(decoded) = percent_decode(path) else {
        return Resolved::Forbidden;
    };
    if decoded.contains('\0') || decoded.contains('\\') || !decoded.starts_with('/') {
        return Resolved::Forbidden;
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Resolved::Forbidden,
            s if s.contains(':') => return Resolved::Forbidden,
            s => relative.push(s),
        }
    }
    let Ok(root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let mut candidate = root.join(&relative);
    if candidate.is_dir() {
        if !decoded.ends_with('/') {
            return Resolved::Redirect(folder_location(path));
        }
        candidate = candidate.join("index.html");
    }
    match candidate.canonicalize() {
        // Symlinks are followed only while they stay inside the site.
        Ok(real) if real.starts_with(&root) && real.is_file() => Resolved::File(real),
        Ok(real) if !real.starts_with(&root) => Resolved::Forbidden,
        _ => Resolved::NotFound,
    }
}

/// Where a folder asked for without its trailing slash redirects: the same
/// path with one slash between segments. `//host` would be a
/// protocol-relative URL, sending the browser to another site.
fn folder_location(path: &str) -> String {
    let mut location = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        location.push('/');
        location.push_str(segment);
    }
    location.push('/');
    location
}

/// The `Content-Type` for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        _ if path.file_name().is_some_and(|n| n == "_redirects") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Adds `script` to an HTML document, before `</body>` (or at the end).
pub fn inject(html: &str, script: &str) -> String {
    match html.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
        None => format!("{html}{script}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir_all(root.join("guides")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("guides/index.html"), "guides").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("link.txt"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("linkdir")).unwrap();
        std::os::unix::fs::symlink(root.join("index.html"), root.join("inside.html")).unwrap();
        let real = root.canonicalize().unwrap();

        assert_eq!(resolve(root, "/"), Resolved::File(real.join("index.html")));
        assert_eq!(
            resolve(root, "/guides/"),
            Resolved::File(real.join("guides/index.html"))
        );
        assert_eq!(
            resolve(root, "/guides"),
            Resolved::Redirect("/guides/".into())
        );
        assert_eq!(
            resolve(root, "/inside.html"),
            Resolved::File(real.join("index.html"))
        );
        assert_eq!(resolve(root, "/nope/"), Resolved::NotFound);
        for attack in [
            "/../secret.txt",
            "/guides/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%2fsecret.txt",
            "/guides/%2e%2e/%2e%2e/secret.txt",
            "/..\\\\secret.txt",
            "/%5c..%5csecret.txt",
            "/link.txt",
            "/linkdir/secret.txt",
            "/C:/Windows/win.ini",
            "relative/path",
            "/%00",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(root, attack), Resolved::Forbidden, "{attack}");
        }
        // An absolute path is just a path below the site root.
        assert_eq!(resolve(root, "//etc/passwd"), Resolved::NotFound);
        // Never a protocol-relative redirect to another host.
        for path in ["//guides", "///guides", "//guides//"] {
            let expected = if path.ends_with('/') {
                Resolved::File(real.join("guides/index.html"))
            } else {
                Resolved::Redirect("/guides/".into())
            };
            assert_eq!(resolve(root, path), expected, "{path}");
        }
    }

    #[test]
    fn scripts_go_before_the_body_end() {
        assert_eq!(
            inject("<body>x</body></html>", "<s>"),
            "<body>x<s></body></html>"
        );
        assert_eq!(inject("x", "<s>"), "x<s>");
        assert_eq!(
            content_type(Path::new("a/style.css")),
            "text/css; charset=utf-8"
        );
    }
}
