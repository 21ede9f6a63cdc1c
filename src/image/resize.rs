//! What an image operation makes of a size (fit, fill with an anchor,
//! scale), and the resizing itself (fast_image_resize, Lanczos3).

use fast_image_resize as fr;
use fr::images::{TypedImage, TypedImageRef};
use fr::pixels::{U8x3, U8x4};

use super::pixels::Pixels;

/// How an image is fitted into the width and height asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Within the width and/or height, the aspect ratio kept (Zola's
    /// `fit`, `fit_width`, `fit_height`; Hugo's `Resize`/`Fit`).
    Fit,
    /// Exactly the width and height, cropped to their ratio around the
    /// anchor (Zola's and Hugo's `fill`).
    Fill(Anchor),
    /// Exactly the width and height, the ratio changed (Zola's `scale`).
    Scale,
}

/// Which part of an image a fill keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Anchor {
    Center,
    Top,
    Bottom,
    Left,
    Right,
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl Anchor {
    /// An anchor by Hugo's names (`Center`, `TopLeft`...), in any case,
    /// with or without a dash or underscore.
    pub fn parse(name: &str) -> Option<Anchor> {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match name.as_str() {
            "center" | "centre" | "smart" => Anchor::Center,
            "top" => Anchor::Top,
            "bottom" => Anchor::Bottom,
            "left" => Anchor::Left,
            "right" => Anchor::Right,
            "topleft" => Anchor::TopLeft,
            "topright" => Anchor::TopRight,
            "bottomleft" => Anchor::BottomLeft,
            "bottomright" => Anchor::BottomRight,
            _ => return None,
        })
    }

    /// Where the crop sits, as shares of the room left and above.
    fn centering(self) -> (f64, f64) {
        match self {
            Anchor::Center => (0.5, 0.5),
            Anchor::Top => (0.5, 0.0),
            Anchor::Bottom => (0.5, 1.0),
            Anchor::Left => (0.0, 0.5),
            Anchor::Right => (1.0, 0.5),
            Anchor::TopLeft => (0.0, 0.0),
            Anchor::TopRight => (1.0, 0.0),
            Anchor::BottomLeft => (0.0, 1.0),
            Anchor::BottomRight => (1.0, 1.0),
        }
    }

    /// A short name for file names and cache keys.
    pub fn name(self) -> &'static str {
        match self {
            Anchor::Center => "c",
            Anchor::Top => "t",
            Anchor::Bottom => "b",
            Anchor::Left => "l",
            Anchor::Right => "r",
            Anchor::TopLeft => "tl",
            Anchor::TopRight => "tr",
            Anchor::BottomLeft => "bl",
            Anchor::BottomRight => "br",
        }
    }
}

/// A size asked for: a mode and a width and/or height (a fill and a
/// scale need both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    /// How the image is fitted.
    pub mode: Mode,
    /// The width asked for.
    pub width: Option<u32>,
    /// The height asked for.
    pub height: Option<u32>,
}

impl Geometry {
    /// The size an image of `width`x`height` becomes. Images are never
    /// made larger: a fit stops at the image's own size, and a fill or
    /// scale larger than the image shrinks to fit in it, keeping the ratio
    /// asked for.
    pub fn output_size(&self, width: u32, height: u32) -> (u32, u32) {
        let (w, h) = (f64::from(width), f64::from(height));
        let (out_w, out_h) = match (self.mode, self.width, self.height) {
            (Mode::Fit, Some(tw), Some(th)) => {
                let scale = (f64::from(tw) / w).min(f64::from(th) / h).min(1.0);
                (w * scale, h * scale)
            }
            (Mode::Fit, Some(tw), None) => {
                let scale = (f64::from(tw) / w).min(1.0);
                (w * scale, h * scale)
            }
            (Mode::Fit, None, Some(th)) => {
                let scale = (f64::from(th) / h).min(1.0);
                (w * scale, h * scale)
            }
            (_, Some(tw), Some(th)) => {
                let (tw, th) = (f64::from(tw), f64::from(th));
                let shrink = (w / tw).min(h / th).min(1.0);
                (tw * shrink, th * shrink)
            }
            _ => (w, h),
        };
        ((out_w.round() as u32).max(1), (out_h.round() as u32).max(1))
    }
}

/// `pixels` made `width`x`height` as `mode` says (the size from
/// [`Geometry::output_size`]).
pub fn resize(pixels: &Pixels, mode: Mode, width: u32, height: u32) -> Result<Pixels, String> {
    let mut options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    if let Mode::Fill(anchor) = mode {
        options = options.fit_into_destination(Some(anchor.centering()));
    }
    let mut data = vec![0; width as usize * height as usize * pixels.channels()];
    let failed = |e: &dyn std::fmt::Display| format!("cannot resize the image: {e}");
    let mut resizer = fr::Resizer::new();
    if pixels.alpha {
        let src = TypedImageRef::<U8x4>::from_buffer(pixels.width, pixels.height, &pixels.data)
            .map_err(|e| failed(&e))?;
        let mut dst =
            TypedImage::<U8x4>::from_buffer(width, height, &mut data).map_err(|e| failed(&e))?;
        resizer
            .resize_typed(&src, &mut dst, &options)
            .map_err(|e| failed(&e))?;
    } else {
        let src = TypedImageRef::<U8x3>::from_buffer(pixels.width, pixels.height, &pixels.data)
            .map_err(|e| failed(&e))?;
        let mut dst =
            TypedImage::<U8x3>::from_buffer(width, height, &mut data).map_err(|e| failed(&e))?;
        resizer
            .resize_typed(&src, &mut dst, &options)
            .map_err(|e| failed(&e))?;
    }
    Ok(Pixels {
        width,
        height,
        alpha: pixels.alpha,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(mode: Mode, width: Option<u32>, height: Option<u32>, of: (u32, u32)) -> (u32, u32) {
        Geometry {
            mode,
            width,
            height,
        }
        .output_size(of.0, of.1)
    }

    #[test]
    fn fits_keep_the_ratio_and_never_enlarge() {
        assert_eq!(size(Mode::Fit, Some(800), None, (3000, 2000)), (800, 533));
        assert_eq!(size(Mode::Fit, None, Some(500), (3000, 2000)), (750, 500));
        assert_eq!(
            size(Mode::Fit, Some(800), Some(800), (2000, 3000)),
            (533, 800)
        );
        assert_eq!(size(Mode::Fit, Some(1600), None, (1200, 800)), (1200, 800));
    }

    #[test]
    fn fills_and_scales_give_the_size_asked_or_its_ratio_within_the_image() {
        let fill = Mode::Fill(Anchor::Center);
        assert_eq!(size(fill, Some(1200), Some(630), (3000, 2000)), (1200, 630));
        assert_eq!(size(fill, Some(1200), Some(630), (800, 600)), (800, 420));
        assert_eq!(
            size(Mode::Scale, Some(300), Some(300), (3000, 2000)),
            (300, 300)
        );
    }

    #[test]
    fn a_fill_keeps_the_anchored_part() {
        // Left half black, right half white; a square fill anchored right
        // keeps white only.
        let (w, h) = (40u32, 10u32);
        let data = (0..w * h)
            .flat_map(|i| {
                if i % w < w / 2 {
                    [0, 0, 0]
                } else {
                    [255, 255, 255]
                }
            })
            .collect();
        let pixels = Pixels {
            width: w,
            height: h,
            alpha: false,
            data,
        };
        let right = resize(&pixels, Mode::Fill(Anchor::Right), 5, 5).unwrap();
        assert!(right.data.iter().all(|&v| v > 250), "{:?}", right.data);
        let left = resize(&pixels, Mode::Fill(Anchor::Left), 5, 5).unwrap();
        assert!(left.data.iter().all(|&v| v < 5), "{:?}", left.data);
    }
}
