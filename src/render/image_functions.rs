//! The image functions of templates and shortcodes:
//! `resize_image(path=..., width=..., height=..., op=..., format=...,
//! quality=..., anchor=..., relative_to=...)`, in the spirit of Zola's
//! function and Hugo's `.Resize`/`.Fit`/`.Fill`, and
//! `responsive_image(path=..., alt=..., ...)`, the `<picture>` Markdown
//! images become.

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Tera, Value};

use crate::content::images::{ImageUse, Loading, SiteImages};
use crate::image::{Anchor, Format, Geometry, Mode, Operation};

/// Registers `resize_image` and `responsive_image` on `tera`.
pub fn register_images(tera: &mut Tera, images: Arc<SiteImages>) {
    let resize_images = Arc::clone(&images);
    tera.register_function("resize_image", move |args: &HashMap<String, Value>| {
        let path = text(args, "resize_image", "path")?
            .ok_or_else(|| tera::Error::msg("resize_image needs `path`"))?;
        let from = text(args, "resize_image", "relative_to")?.unwrap_or("");
        let operation = operation(args, resize_images.settings().quality, path)?;
        let fetch = flag(args, "resize_image", "fetch")?;
        let resized = resize_images
            .resize(path, from, operation, fetch)
            .map_err(|e| tera::Error::msg(format!("resize_image: {e}")))?;
        let Some(resized) = resized else {
            return if flag(args, "resize_image", "optional")? {
                Ok(Value::Null)
            } else {
                Err(tera::Error::msg(format!(
                    "resize_image: no image `{path}` (looked beside the page named by `relative_to`, in `content/` and in the static folders; a remote image needs `fetch=true`); `optional=true` makes a missing image no error"
                )))
            };
        };
        Ok(serde_json::to_value(resized).expect("an image value serializes"))
    });
    tera.register_function("responsive_image", move |args: &HashMap<String, Value>| {
        let name = "responsive_image";
        let path = text(args, name, "path")?
            .ok_or_else(|| tera::Error::msg("responsive_image needs `path`"))?;
        let eager = match args.get("eager") {
            None => false,
            Some(value) => value
                .as_bool()
                .ok_or_else(|| tera::Error::msg("responsive_image: `eager` is true or false"))?,
        };
        let image = ImageUse {
            src: path,
            alt: text(args, name, "alt")?.unwrap_or(""),
            title: text(args, name, "title")?.unwrap_or(""),
            from: text(args, name, "relative_to")?.unwrap_or(""),
            location: path,
            loading: if eager { Loading::First } else { Loading::Lazy },
            sizes: text(args, name, "sizes")?,
        };
        let html = images
            .content_image(&image)
            .map_err(|e| tera::Error::msg(format!("responsive_image: {e}")))?;
        match html {
            Some(html) => Ok(Value::String(html)),
            None if !images.settings().process || flag(args, name, "optional")? => Ok(Value::String(format!(
                r#"<img src="{}" alt="{}">"#,
                crate::html_escape::escape_html(path),
                crate::html_escape::escape_html(image.alt)
            ))),
            None => Err(tera::Error::msg(format!(
                "responsive_image: no image `{path}` (looked beside the page named by `relative_to`, in `content/` and in the static folders)"
            ))),
        }
    });
}

/// The true-or-false argument `name` (false when absent): `optional`
/// (a missing file is no error: `resize_image` then gives nothing and
/// `responsive_image` a plain `<img>` of the path as written, which `grove
/// check` reports) or `fetch` (a remote image is fetched and processed).
fn flag(args: &HashMap<String, Value>, function: &str, name: &str) -> tera::Result<bool> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(tera::Error::msg(format!(
            "{function}: `{name}` is true or false, not {other}"
        ))),
    }
}

/// The optional string argument `name`.
fn text<'a>(
    args: &'a HashMap<String, Value>,
    function: &str,
    name: &str,
) -> tera::Result<Option<&'a str>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(tera::Error::msg(format!(
            "{function}: `{name}` must be a string, not {other}"
        ))),
    }
}

/// The operation `resize_image`'s arguments ask for.
fn operation(
    args: &HashMap<String, Value>,
    default_quality: u8,
    path: &str,
) -> tera::Result<Operation> {
    let error = |message: String| tera::Error::msg(format!("resize_image: {message}"));
    let side = |name: &str| -> tera::Result<Option<u32>> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| (1..=8192).contains(v))
                .map(Some)
                .ok_or_else(|| error(format!("`{name}` must be a whole number from 1 to 8192"))),
        }
    };
    let (width, height) = (side("width")?, side("height")?);
    let op = text(args, "resize_image", "op")?.unwrap_or("fit");
    let anchor = match text(args, "resize_image", "anchor")? {
        None => Anchor::Center,
        Some(name) => Anchor::parse(name).ok_or_else(|| {
            error(format!(
                "unknown anchor `{name}` (center, top, bottom, left, right, top_left, top_right, bottom_left, bottom_right)"
            ))
        })?,
    };
    let mode = match op {
        "fit" | "fit_width" | "fit_height" | "resize" => Mode::Fit,
        "fill" | "crop" => Mode::Fill(anchor),
        "scale" => Mode::Scale,
        other => {
            return Err(error(format!(
                "unknown op `{other}` (fit, fit_width, fit_height, fill, scale)"
            )));
        }
    };
    let needs_both = matches!(mode, Mode::Fill(_) | Mode::Scale);
    match (width, height) {
        (None, None) => return Err(error("give a `width`, a `height` or both".into())),
        (Some(_), Some(_)) => {}
        _ if needs_both => return Err(error(format!("`{op}` needs both `width` and `height`"))),
        _ => {}
    }
    let format = match text(args, "resize_image", "format")?.unwrap_or("auto") {
        "auto" => match Format::from_name(path) {
            Some(Format::Png) => Format::Png,
            Some(Format::Webp) => Format::Webp,
            _ => Format::Jpeg,
        },
        "jpg" | "jpeg" => Format::Jpeg,
        "png" => Format::Png,
        "webp" => Format::Webp,
        other => {
            return Err(error(format!(
                "unknown format `{other}` (auto, jpg, png, webp)"
            )));
        }
    };
    let quality = match args.get("quality") {
        None | Some(Value::Null) => default_quality,
        Some(value) => value
            .as_u64()
            .and_then(|q| u8::try_from(q).ok())
            .filter(|q| (1..=100).contains(q))
            .ok_or_else(|| error("`quality` must be a whole number from 1 to 100".into()))?,
    };
    Ok(Operation {
        geometry: Geometry {
            mode,
            width,
            height,
        },
        format,
        quality,
    })
}
