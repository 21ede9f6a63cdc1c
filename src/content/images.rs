//! A site's images as its pages and templates use them: where the file
//! of `![alt](src)` is (beside the page, in `content/`, in `static/`),
//! the sizes made of it through the network's [`ImageCache`], the
//! `<picture>` a content image becomes, and the processed files the site
//! must publish (`processed_images/`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::html_escape::escape_html;
use crate::html_scan::percent_decode;
use crate::image::{Format, Geometry, ImageCache, Made, Mode, Operation, Source};
use crate::network::ImageSettings;

/// The folder of the output processed images are published in.
pub const PROCESSED_DIR: &str = "processed_images";

/// Where an image's file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// A file of the site (a content asset or a static file).
    Local(PathBuf),
    /// Another site's URL (or a `data:` URL): left as it is.
    Remote,
    /// A local path with no file behind it.
    Missing,
}

/// How a content image loads: the first of a page is what a reader sees
/// first (fetched early); the rest load as they scroll into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// `fetchpriority="high"`.
    First,
    /// `loading="lazy" decoding="async"`.
    Lazy,
}

/// An image as content or a template uses it.
#[derive(Debug, Clone, Copy)]
pub struct ImageUse<'a> {
    /// The path or URL as written.
    pub src: &'a str,
    /// Its alternative text.
    pub alt: &'a str,
    /// Its title, or empty.
    pub title: &'a str,
    /// The content file it is written in (path below `content/`), which
    /// relative paths start from; empty for the content root.
    pub from: &'a str,
    /// Where it is written (`file:line`, or a template's name), for
    /// messages.
    pub location: &'a str,
    /// How it loads.
    pub loading: Loading,
    /// Its `sizes` attribute, instead of the settings'.
    pub sizes: Option<&'a str>,
}

/// One image a template asked for (`resize_image`): its URL and size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resized {
    /// Root-relative URL of the file made.
    pub url: String,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// The source's width as shown.
    pub orig_width: u32,
    /// The source's height as shown.
    pub orig_height: u32,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its path below the site root (without the base URL's path).
    #[serde(skip)]
    pub site_path: String,
}

/// A site's images: how to find them and what to publish.
pub struct SiteImages {
    cache: Arc<ImageCache>,
    settings: ImageSettings,
    /// Static folders, the one that wins first.
    static_dirs: Vec<PathBuf>,
    /// Content assets by path below `content/` (set when the content is
    /// read, see [`SiteImages::set_assets`]).
    assets: RwLock<HashMap<String, PathBuf>>,
    base_path: String,
    /// Output path below the site folder -> cached file.
    published: Mutex<BTreeMap<String, PathBuf>>,
    /// Content images whose file is missing, as `file:line: src`.
    missing: Mutex<Vec<String>>,
    /// Remote images that could not be fetched, and why.
    unavailable: Mutex<Vec<String>>,
    /// The name of each fetched file's URL (its last path segment), for
    /// the names of what is made of it.
    remote_names: Mutex<HashMap<PathBuf, String>>,
    /// For each content image, by the file it is written in (path below
    /// `content/`) and its `src`, the bytes of the largest file a browser
    /// may pick (for the audit).
    heaviest: Mutex<BTreeMap<(String, String), u64>>,
}

impl std::fmt::Debug for SiteImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteImages")
            .field("settings", &self.settings)
            .field("published", &self.published().len())
            .finish_non_exhaustive()
    }
}

impl SiteImages {
    /// The images of a site whose static folders are `static_dirs` (in
    /// the order later ones win), served below `base_path`.
    pub fn new(
        cache: Arc<ImageCache>,
        settings: ImageSettings,
        static_dirs: &[PathBuf],
        base_path: &str,
    ) -> SiteImages {
        SiteImages {
            cache,
            settings,
            static_dirs: static_dirs.iter().rev().cloned().collect(),
            assets: RwLock::default(),
            base_path: base_path.to_string(),
            published: Mutex::default(),
            missing: Mutex::default(),
            unavailable: Mutex::default(),
            remote_names: Mutex::default(),
            heaviest: Mutex::default(),
        }
    }

    /// The site's content assets (path below `content/`, file), known
    /// once its content is read.
    pub fn set_assets(&self, assets: impl IntoIterator<Item = (String, PathBuf)>) {
        *self.assets.write().unwrap_or_else(PoisonError::into_inner) = assets.into_iter().collect();
    }

    /// The settings images are made with.
    pub fn settings(&self) -> &ImageSettings {
        &self.settings
    }

    /// Where `src`, written in content file `from` (path below
    /// `content/`), is: relative to the file's folder, or `@/` and
    /// root-relative paths below `content/` and then the static folders.
    pub fn locate(&self, src: &str, from: &str) -> Located {
        let src = src.trim();
        let lower = src.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("//")
            || lower.starts_with("data:")
        {
            return Located::Remote;
        }
        let path = src.split(['?', '#']).next().unwrap_or_default();
        let path = percent_decode(path).unwrap_or_else(|| path.to_string());
        let (below_root, candidate) = if let Some(rest) = path.strip_prefix("@/") {
            (true, rest.to_string())
        } else if let Some(rest) = path.strip_prefix('/') {
            let rest = rest
                .strip_prefix(self.base_path.trim_start_matches('/'))
                .filter(|_| !self.base_path.is_empty())
                .map_or(rest, |r| r.trim_start_matches('/'));
            (true, rest.to_string())
        } else {
            let folder = from.rsplit_once('/').map_or("", |(dir, _)| dir);
            (false, format!("{folder}/{path}"))
        };
        let Some(rel) = normalize(&candidate) else {
            return Located::Missing;
        };
        let asset = self
            .assets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&rel)
            .cloned();
        if let Some(file) = asset {
            return Located::Local(file);
        }
        // A relative path found nowhere beside its page may be a static
        // file's (`images/logo.png` in front matter, as Hugo themes write).
        let static_rel = if below_root {
            Some(rel)
        } else {
            normalize(&path)
        };
        for dir in static_rel
            .iter()
            .flat_map(|rel| self.static_dirs.iter().map(move |d| d.join(rel)))
        {
            if dir.is_file() {
                return Located::Local(dir);
            }
        }
        Located::Missing
    }

    /// The HTML of an image used in content or by a template: a
    /// `<picture>` of every width in a modern format and the original's,
    /// with the size of the image; `None` when processing is off or the
    /// file is missing (recorded, see [`Self::missing`]).
    pub fn content_image(&self, image: &ImageUse<'_>) -> Result<Option<String>, String> {
        let ImageUse {
            src,
            alt,
            title,
            from,
            location,
            loading,
            sizes,
        } = *image;
        if !self.settings.process {
            return Ok(None);
        }
        let file = match self.locate(src, from) {
            // A file that is not an image by its name (a PDF, a text) is
            // not Grove's to judge.
            Located::Local(file) if Format::from_name(&file.to_string_lossy()).is_none() => {
                return Ok(None);
            }
            Located::Local(file) => file,
            Located::Remote if self.settings.fetch_remote && is_remote(src) => {
                match self.fetch(src) {
                    Some(file) => file,
                    None => return Ok(Some(plain_img(src, None, alt, title, loading))),
                }
            }
            Located::Remote => return Ok(Some(plain_img(src, None, alt, title, loading))),
            Located::Missing => {
                self.missing
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(format!("{location}: {src}"));
                return Ok(None);
            }
        };
        let source = self.source(&file)?;
        let format = source.probe.format;
        if !format.is_processed() {
            let url = self.publish_original(&source)?;
            let size = Some((source.probe.width, source.probe.height)).filter(|s| s.0 > 0);
            return Ok(Some(plain_img(&url, size, alt, title, loading)));
        }
        let widths = self.widths_for(source.probe.width);
        // The original's format is the fallback, a modern one before it.
        let mut formats = vec![format];
        if self.settings.webp && format != Format::Webp {
            formats.insert(0, Format::Webp);
        }
        let operations: Vec<Operation> = formats
            .iter()
            .flat_map(|&format| {
                widths.iter().map(move |&width| Operation {
                    geometry: Geometry {
                        mode: Mode::Fit,
                        width: Some(width),
                        height: None,
                    },
                    format,
                    quality: self.settings.quality,
                })
            })
            .collect();
        let made = self.make(&source, &operations)?;
        let urls: Vec<String> = made
            .iter()
            .zip(&operations)
            .map(|(m, op)| self.publish(&source, m, op.format))
            .collect();
        let per_format = widths.len();
        if let Some(largest) = made.chunks(per_format).map(|c| c[c.len() - 1].bytes).min() {
            self.heaviest
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert((from.to_string(), src.to_string()), largest);
        }
        let srcset = |i: usize| -> String {
            (i * per_format..(i + 1) * per_format)
                .map(|j| format!("{} {}w", urls[j], made[j].width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sizes = escape_html(sizes.unwrap_or(&self.settings.sizes));
        let mut html = String::from("<picture>");
        for (i, format) in formats.iter().enumerate().take(formats.len() - 1) {
            html.push_str(&format!(
                r#"<source type="{}" srcset="{}" sizes="{sizes}">"#,
                format.mime(),
                srcset(i)
            ));
        }
        let last = formats.len() - 1;
        let largest = &made[made.len() - 1];
        html.push_str(&format!(
            r#"<img src="{}" srcset="{}" sizes="{sizes}" width="{}" height="{}"{}></picture>"#,
            urls[urls.len() - 1],
            srcset(last),
            largest.width,
            largest.height,
            attributes(alt, title, loading)
        ));
        Ok(Some(html))
    }

    /// Makes `operation` of the image at `src` for a template: relative
    /// to content file `from`, or, when `from` is empty, below `content/`
    /// or a static folder (as Zola's `resize_image` finds it); a remote
    /// image when `fetch` (or `[images] fetch_remote`). `Ok(None)`: there
    /// is no such file (or the remote one could not be fetched, said in
    /// `Err` of [`Self::unavailable`]); `Err`: the file is broken.
    pub fn resize(
        &self,
        src: &str,
        from: &str,
        operation: Operation,
        fetch: bool,
    ) -> Result<Option<Resized>, String> {
        let rooted;
        let src = if from.is_empty() && !src.starts_with(['/', '@']) && !is_remote(src) {
            rooted = format!("/{src}");
            &rooted
        } else {
            src
        };
        let file = match self.locate(src, from) {
            Located::Local(file) => file,
            Located::Remote if fetch || self.settings.fetch_remote => match self.fetch(src) {
                Some(file) => file,
                None => return Ok(None),
            },
            Located::Remote | Located::Missing => return Ok(None),
        };
        let source = self.source(&file)?;
        let (orig_width, orig_height) = (source.probe.width, source.probe.height);
        if !source.probe.format.is_processed() {
            let url = self.publish_original(&source)?;
            return Ok(Some(Resized {
                site_path: self.site_path(&url),
                url,
                width: orig_width,
                height: orig_height,
                orig_width,
                orig_height,
                bytes: source.bytes,
            }));
        }
        let made = self.make(&source, &[operation])?.remove(0);
        let url = self.publish(&source, &made, operation.format);
        Ok(Some(Resized {
            site_path: self.site_path(&url),
            url,
            width: made.width,
            height: made.height,
            orig_width,
            orig_height,
            bytes: made.bytes,
        }))
    }

    /// The fetched copy of remote image `url`, or `None` (the reason
    /// recorded, see [`Self::unavailable`]).
    fn fetch(&self, url: &str) -> Option<PathBuf> {
        let max_age =
            std::time::Duration::from_secs(u64::from(self.settings.remote_max_age_hours) * 3600);
        match self.cache.remote(url, max_age) {
            Ok(file) => {
                let path = url.split(['?', '#']).next().unwrap_or_default();
                let last = path.rsplit('/').next().unwrap_or_default();
                self.remote_names
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(file.clone(), stem(Path::new(last)));
                Some(file)
            }
            Err(why) => {
                self.unavailable
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(why);
                None
            }
        }
    }

    /// Remote images that could not be fetched, and why, sorted.
    pub fn unavailable(&self) -> Vec<String> {
        let mut why = self
            .unavailable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        why.sort();
        why.dedup();
        why
    }

    fn site_path(&self, url: &str) -> String {
        url.strip_prefix(&self.base_path).unwrap_or(url).to_string()
    }

    fn source(&self, file: &Path) -> Result<Arc<Source>, String> {
        self.cache.source(file).map_err(|why| {
            format!(
                "image {}: {why}",
                crate::error::display_path(file).display()
            )
        })
    }

    fn make(&self, source: &Source, operations: &[Operation]) -> Result<Vec<Made>, String> {
        self.cache.make(source, operations).map_err(|why| {
            format!(
                "image {}: {why}",
                crate::error::display_path(&source.path).display()
            )
        })
    }

    /// The widths made of an image `width` wide: those of the settings
    /// below it, and the image's own when it is narrower than the largest.
    fn widths_for(&self, width: u32) -> Vec<u32> {
        let mut widths: Vec<u32> = self
            .settings
            .widths
            .iter()
            .copied()
            .filter(|&w| w < width)
            .collect();
        let largest = self.settings.widths.iter().copied().max().unwrap_or(width);
        if width <= largest {
            widths.push(width);
        }
        widths.sort_unstable();
        widths.dedup();
        if widths.is_empty() {
            widths.push(largest);
        }
        widths
    }

    fn publish(&self, source: &Source, made: &Made, format: Format) -> String {
        let name = format!(
            "{}-{}x{}-{}.{}",
            self.stem_of(source),
            made.width,
            made.height,
            made.tag,
            format.extension()
        );
        self.publish_file(name, made.file.clone())
    }

    /// GIF and SVG files, published as they are under a name that changes
    /// with their bytes.
    fn publish_original(&self, source: &Source) -> Result<String, String> {
        let name = format!(
            "{}-{:010x}.{}",
            self.stem_of(source),
            source.hash >> 88,
            source.probe.format.extension()
        );
        Ok(self.publish_file(name, source.path.clone()))
    }

    /// The first part of the names of files made of `source`: its file
    /// name's stem, or its URL's for a fetched image.
    fn stem_of(&self, source: &Source) -> String {
        let names = self
            .remote_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        names
            .get(&source.path)
            .cloned()
            .unwrap_or_else(|| stem(&source.path))
    }

    fn publish_file(&self, name: String, file: PathBuf) -> String {
        let rel = format!("{PROCESSED_DIR}/{name}");
        let url = format!("{}/{rel}", self.base_path);
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(rel, file);
        url
    }

    /// The files to publish: output path below the site folder, and the
    /// file to copy there.
    pub fn published(&self) -> Vec<(String, PathBuf)> {
        let published = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        published
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Content images whose file is missing, as `file:line: src`, sorted.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = self
            .missing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        missing.sort();
        missing.dedup();
        missing
    }

    /// For each content image (the file below `content/` it is written
    /// in, its `src`), the bytes of the largest file a browser may pick
    /// (the largest width in the lightest format).
    pub fn heaviest(&self) -> BTreeMap<(String, String), u64> {
        self.heaviest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Whether `src` is an http(s) URL.
fn is_remote(src: &str) -> bool {
    let lower = src.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `path` with `.` and `..` segments resolved; `None` when it climbs out.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// A file name's stem made safe for URLs: lowercase ASCII letters, digits
/// and dashes.
fn stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(60).collect();
    if out.is_empty() { "image".into() } else { out }
}

fn attributes(alt: &str, title: &str, loading: Loading) -> String {
    let mut attributes = format!(r#" alt="{}""#, escape_html(alt));
    if !title.is_empty() {
        attributes.push_str(&format!(r#" title="{}""#, escape_html(title)));
    }
    attributes.push_str(match loading {
        Loading::First => r#" fetchpriority="high""#,
        Loading::Lazy => r#" loading="lazy" decoding="async""#,
    });
    attributes
}

/// An `<img>` of a file published as it is, or of another site's image.
fn plain_img(
    src: &str,
    size: Option<(u32, u32)>,
    alt: &str,
    title: &str,
    loading: Loading,
) -> String {
    let size = size.map_or_else(String::new, |(w, h)| {
        format!(r#" width="{w}" height="{h}""#)
    });
    format!(
        r#"<img src="{}"{size}{}>"#,
        escape_html(src),
        attributes(alt, title, loading)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_without_climbing_out() {
        assert_eq!(
            normalize("guides/a/../b/./c.jpg").as_deref(),
            Some("guides/b/c.jpg")
        );
        assert_eq!(normalize("../x.jpg"), None);
    }

    #[test]
    fn stems_are_safe_in_urls() {
        assert_eq!(
            stem(Path::new("/x/Espresso Shot (2).JPG")),
            "espresso-shot-2"
        );
        assert_eq!(stem(Path::new("/x/écran.png")), "cran");
        assert_eq!(stem(Path::new("/x/日本.png")), "image");
    }
}
