//! Image processing: what an image is (`probe`), its pixels (`pixels`,
//! turned by the EXIF orientation), resized (`resize`), written as WebP,
//! JPEG or PNG without metadata (`encode`), metadata taken out of files
//! published as they are (`strip`), and [`ImageCache`]: every file made
//! once, kept in `.grove/images/` by the source's bytes and the operation,
//! shared by every site of a network and every later build.

mod cache;
mod encode;
mod exif;
mod fetch;
mod pixels;
mod probe;
mod resize;
mod strip;

pub use cache::{Collected, ImageCache, Made, Source};
pub use probe::{Format, Probe, probe};
pub use resize::{Anchor, Geometry, Mode};
pub use strip::strip;

/// One file to make from a source image: a size, a format and a quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The size asked for.
    pub geometry: Geometry,
    /// The format written.
    pub format: Format,
    /// 1-100, for WebP and JPEG.
    pub quality: u8,
}

impl Operation {
    /// The operation as text, part of the cache key: changing any part of
    /// it makes another file.
    fn key_text(&self) -> String {
        let mode = match self.geometry.mode {
            Mode::Fit => "fit".to_string(),
            Mode::Fill(anchor) => format!("fill-{}", anchor.name()),
            Mode::Scale => "scale".to_string(),
        };
        let side = |v: Option<u32>| v.map_or_else(String::new, |v| v.to_string());
        format!(
            "{mode} {}x{} {} q{}",
            side(self.geometry.width),
            side(self.geometry.height),
            self.format.extension(),
            self.quality
        )
    }
}
