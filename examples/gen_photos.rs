//! Writes the image benchmark's workload: N pages, each a bundle with one
//! 3000x2000 photo (half JPEG, half PNG), cut from a real photograph
//! (`--source`, a JPEG at least 3000x2000) at a different place and tint
//! per page, so no two files are alike and no cache can share them. The
//! same pages are written as a Grove network (`<out>/grove/`, `[images]`
//! widths 480, 800 and 1600 with WebP) and as a Hugo site (`<out>/hugo/`)
//! whose image render hook makes the same files with `.Resize`: each width
//! as WebP and in the photo's own format.
//!
//! ```sh
//! cargo run --release --example gen_photos -- --source photo.jpg --count 200 --out bench-out/photos
//! ```

use std::fs;
use std::path::{Path, PathBuf};

const WIDTH: usize = 3000;
const HEIGHT: usize = 2000;

fn main() {
    let mut source = None;
    let mut count = 200;
    let mut out = PathBuf::from("bench-out/photos");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--source" => source = Some(PathBuf::from(value)),
            "--count" => count = value.parse().expect("--count N"),
            "--out" => out = PathBuf::from(value),
            other => panic!("unknown argument {other}"),
        }
    }
    let source = source.expect("--source photo.jpg");
    let bytes = fs::read(&source).expect("the source photo");
    let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(&bytes[..]));
    let pixels = decoder.decode().expect("a JPEG");
    let (width, height) = decoder.dimensions().expect("its size");
    assert!(
        width >= WIDTH && height >= HEIGHT,
        "the source must be at least 3000x2000"
    );
    let _ = fs::remove_dir_all(&out);
    write_grove(&out.join("grove"));
    write_hugo(&out.join("hugo"));
    for i in 0..count {
        let photo = cut(&pixels, width, height, i);
        let (name, encoded) = if i % 2 == 0 {
            ("photo.jpg", jpeg(&photo))
        } else {
            ("photo.png", png(&photo))
        };
        let page = format!(
            "+++\ntitle = \"Photo {i}\"\ndate = 2026-01-01\n+++\nA page about photo {i}.\n\n![Photo {i} of the lake]({name})\n\nMore text after the photo.\n"
        );
        for dir in [
            out.join(format!("grove/sites/photos/content/posts/p{i}")),
            out.join(format!("hugo/content/posts/p{i}")),
        ] {
            write(&dir.join("index.md"), page.as_bytes());
            write(&dir.join(name), &encoded);
        }
    }
}

/// A 3000x2000 window of the source, placed and tinted by `i`.
fn cut(pixels: &[u8], width: usize, height: usize, i: usize) -> Vec<u8> {
    let x0 = (i * 37) % (width - WIDTH + 1);
    let y0 = (i * 11) % (height - HEIGHT + 1);
    let tint = (i % 9) as u8;
    let mut out = Vec::with_capacity(WIDTH * HEIGHT * 3);
    for y in 0..HEIGHT {
        let row = &pixels[((y0 + y) * width + x0) * 3..][..WIDTH * 3];
        out.extend(
            row.chunks_exact(3)
                .flat_map(|p| [p[0].saturating_add(tint), p[1], p[2].saturating_sub(tint)]),
        );
    }
    out
}

fn jpeg(photo: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(
            photo,
            WIDTH as u16,
            HEIGHT as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("JPEG");
    out
}

fn png(photo: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH as u32, HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("PNG");
    writer.write_image_data(photo).expect("PNG");
    writer.finish().expect("PNG");
    out
}

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn write_grove(dir: &Path) {
    write(
        &dir.join("grove.toml"),
        b"[network]\nname = \"Photos\"\ntheme = \"min\"\ntaxonomies = []\n\n[seo]\nfeeds = false\n\n[images]\nwidths = [480, 800, 1600]\nwebp = true\nquality = 75\n",
    );
    write(
        &dir.join("sites/photos/site.toml"),
        b"title = \"Photos\"\nbase_url = \"https://photos.example.com\"\nniche = \"photos\"\n",
    );
    write(
        &dir.join("sites/photos/content/posts/_index.md"),
        b"+++\ntitle = \"Posts\"\n+++\n",
    );
    let templates = dir.join("themes/min/templates");
    write(
        &templates.join("page.html"),
        b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{{ page.title }}</title></head><body><main style=\"max-width:42rem;margin:auto;padding:0 1.25rem\"><h1>{{ page.title }}</h1>{{ page.content | safe }}</main></body></html>\n",
    );
    for name in ["index.html", "section.html"] {
        write(
            &templates.join(name),
            b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ section.title }}</title></head><body>{% for p in section.pages %}<a href=\"{{ p.path }}\">{{ p.title }}</a>{% endfor %}</body></html>\n",
        );
    }
}

fn write_hugo(dir: &Path) {
    write(
        &dir.join("hugo.toml"),
        b"baseURL = \"https://photos.example.com/\"\ndisableKinds = [\"RSS\", \"taxonomy\", \"term\", \"sitemap\", \"robotsTXT\"]\n[imaging]\nquality = 75\nresampleFilter = \"Lanczos\"\n",
    );
    write(
        &dir.join("content/posts/_index.md"),
        b"+++\ntitle = \"Posts\"\n+++\n",
    );
    let layouts = dir.join("layouts/_default");
    write(
        &layouts.join("single.html"),
        b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{{ .Title }}</title></head><body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n",
    );
    write(
        &layouts.join("list.html"),
        b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body>{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</body></html>\n",
    );
    // The same files Grove makes: each width as WebP and in the photo's
    // own format, never wider than the photo.
    write(
        &layouts.join("_markup/render-image.html"),
        br#"{{- $img := .Page.Resources.GetMatch .Destination -}}
{{- $webp := slice -}}{{- $own := slice -}}
{{- range slice 480 800 1600 -}}
{{- if le . $img.Width -}}
{{- $w := printf "%dx webp" . -}}{{- $o := printf "%dx" . -}}
{{- $a := $img.Resize $w -}}{{- $b := $img.Resize $o -}}
{{- $webp = $webp | append (printf "%s %dw" $a.RelPermalink $a.Width) -}}
{{- $own = $own | append (printf "%s %dw" $b.RelPermalink $b.Width) -}}
{{- $img = $img -}}
{{- end -}}
{{- end -}}
{{- $big := $img.Resize "1600x" -}}
<picture><source type="image/webp" srcset="{{ delimit $webp ", " }}"><img src="{{ $big.RelPermalink }}" srcset="{{ delimit $own ", " }}" width="{{ $big.Width }}" height="{{ $big.Height }}" alt="{{ .Text }}" loading="lazy"></picture>"#,
    );
}
