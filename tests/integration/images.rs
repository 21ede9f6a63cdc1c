//! Images: Markdown and theme images become responsive, light and stable
//! (`srcset`, WebP, sizes that match the files, lazy after the first),
//! turned the right way up and stripped of GPS, made once and shared by
//! the sites of a network. Pages are read as parsed HTML; made files are
//! read back by their headers and pixels.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::{Fixture, attrs, files_below, jpeg_photo, png_image};
use scraper::{Html, Selector};

/// A site whose guide (a bundle) shows a phone photo stored sideways,
/// a static PNG with transparency, an SVG, a GIF and a remote image.
fn photo_site() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write_bytes(
        "sites/alpha/content/guides/kit/photo.jpg",
        // Stored 1800x1200, shown 1200x1800 (orientation 6).
        &jpeg_photo(1800, 1200, 6),
    );
    net.write_bytes(
        "sites/alpha/static/images/diagram.png",
        &png_image(900, 600, true),
    );
    net.write(
        "sites/alpha/static/images/logo.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40"/></svg>"#,
    );
    net.write_bytes(
        "sites/alpha/content/guides/kit/spinner.gif",
        b"GIF89a\x20\x00\x10\x00\x00\x00\x00;",
    );
    net.write(
        "sites/alpha/content/guides/kit/index.md",
        "+++\ntitle = \"Kit\"\n+++\nIntro.\n\n![The kit on a bench](photo.jpg \"Our kit\")\n\n![A diagram](/images/diagram.png)\n\n![Logo](/images/logo.svg)\n\n![Spinner](spinner.gif)\n\n![Remote](https://cdn.example.com/x.jpg)\n",
    );
    net
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(selector).unwrap()).collect()
}

/// (URL, width descriptor) of each candidate of a `srcset`.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').unwrap();
            (url.to_string(), w.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

fn probe(net: &Fixture, url: &str) -> grove::image::Probe {
    let bytes = std::fs::read(net.out(&format!("alpha{url}"))).unwrap();
    grove::image::probe(&bytes, url).unwrap()
}

#[test]
fn markdown_images_are_responsive_sized_and_lazy_after_the_first() {
    let net = photo_site();
    net.build(&[]);
    let page = net.html("alpha/guides/kit/index.html");
    let pictures = select(&page, ".prose picture");
    assert_eq!(pictures.len(), 2, "the JPEG and the PNG are processed");
    for picture in &pictures {
        let html = Html::parse_fragment(&picture.html());
        let img = select(&html, "img")[0].value();
        let (width, height): (u32, u32) = (
            img.attr("width").unwrap().parse().unwrap(),
            img.attr("height").unwrap().parse().unwrap(),
        );
        // The fallback's size is the file's, and every candidate is a
        // file of the width it claims, none wider than the image.
        let src = probe(&net, img.attr("src").unwrap());
        assert_eq!((src.width, src.height), (width, height));
        let webp = select(&html, "source[type=\"image/webp\"]");
        assert_eq!(webp.len(), 1, "{}", picture.html());
        for srcset in [webp[0].value().attr("srcset"), img.attr("srcset")] {
            let list = candidates(srcset.unwrap());
            assert!(list.len() >= 2, "{list:?}");
            for (url, w) in list {
                let file = probe(&net, &url);
                assert_eq!(file.width, w, "{url}");
                assert!(w <= width);
                // Same shape as the image, to a pixel of rounding.
                let expected = f64::from(w) * f64::from(height) / f64::from(width);
                assert!((f64::from(file.height) - expected).abs() <= 1.0, "{url}");
            }
        }
        assert!(img.attr("sizes").is_some());
    }
    // The photo is shown upright: 1200 wide, 1800 high.
    let photo = select(&page, ".prose picture img")[0].value();
    assert_eq!(
        (photo.attr("width"), photo.attr("height")),
        (Some("1200"), Some("1800"))
    );
    assert_eq!(photo.attr("alt"), Some("The kit on a bench"));
    assert_eq!(photo.attr("title"), Some("Our kit"));
    assert_eq!(photo.attr("fetchpriority"), Some("high"));
    assert_eq!(photo.attr("loading"), None, "the first image is not lazy");
    // Every other image loads lazily; GIF and SVG keep their sizes.
    let others = select(&page, ".prose img");
    for img in &others[1..] {
        assert_eq!(img.value().attr("loading"), Some("lazy"), "{}", img.html());
        assert_eq!(img.value().attr("decoding"), Some("async"));
    }
    let sized = |alt: &str| {
        let img = others
            .iter()
            .find(|i| i.value().attr("alt") == Some(alt))
            .unwrap();
        let v = img.value();
        (
            v.attr("src").unwrap().to_string(),
            v.attr("width"),
            v.attr("height"),
        )
    };
    let (logo, w, h) = sized("Logo");
    assert_eq!((w, h), (Some("120"), Some("40")));
    assert!(net.out(&format!("alpha{logo}")).is_file());
    let (spinner, w, h) = sized("Spinner");
    assert_eq!((w, h), (Some("32"), Some("16")));
    assert!(net.out(&format!("alpha{spinner}")).is_file());
    assert_eq!(sized("Remote").0, "https://cdn.example.com/x.jpg");
}

/// Pixels of a made JPEG, RGB.
fn pixels(path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(&bytes[..]));
    let data = decoder.decode().unwrap();
    let (w, h) = decoder.dimensions().unwrap();
    (w, h, data)
}

#[test]
fn photos_are_turned_upright_and_lose_their_gps() {
    let net = photo_site();
    net.build(&[]);
    let page = net.html("alpha/guides/kit/index.html");
    let smallest = &candidates(&attrs(&page, ".prose picture img", "srcset")[0])[0].0;
    let (w, h, data) = pixels(&net.out(&format!("alpha{smallest}")));
    assert!(h > w, "portrait after orientation 6");
    let red = |x: usize, y: usize| {
        let p = &data[(y * w + x) * 3..][..3];
        p[0] > 180 && p[1] < 80 && p[2] < 80
    };
    // Stored top-left, a quarter turn clockwise puts it top-right.
    assert!(red(w * 9 / 10, h / 20), "the marker is top-right");
    assert!(!red(w / 10, h / 20), "and not top-left");
    // No file of the site carries the GPS position or the serial: not
    // the sizes made, not the original published beside the page.
    let site = net.out("alpha");
    assert!(net.out("alpha/guides/kit/photo.jpg").is_file());
    for file in files_below(&site) {
        let bytes = std::fs::read(site.join(&file)).unwrap();
        let found = bytes
            .windows(10)
            .any(|w| w == b"GPS 48.858" || w == b"SERIAL-123");
        assert!(!found, "{file} keeps the photo's metadata");
    }
    // The original keeps its orientation, so it still shows upright.
    let original = std::fs::read(net.out("alpha/guides/kit/photo.jpg")).unwrap();
    let probed = grove::image::probe(&original, "photo.jpg").unwrap();
    assert_eq!(
        (probed.width, probed.height, probed.orientation),
        (1200, 1800, 6)
    );
}

/// Every file below `.grove/images/` with its modification time.
fn cached(net: &Fixture) -> Vec<(String, SystemTime)> {
    let dir = net.path().join(".grove/images");
    files_below(&dir)
        .into_iter()
        .map(|f| {
            let modified = std::fs::metadata(dir.join(&f)).unwrap().modified().unwrap();
            (f, modified)
        })
        .collect()
}

#[test]
fn images_are_made_once_for_every_site_and_every_build() {
    let net = photo_site();
    net.build(&[]);
    let first = cached(&net);
    assert!(!first.is_empty());
    // A second site showing the same photo from its own folder.
    net.site("beta", "Beta");
    net.write_bytes(
        "sites/beta/content/shots/index.md",
        b"+++\ntitle = \"Shots\"\n+++\n![Kit](kit.jpg)\n\n![A diagram](/images/diagram.png)\n",
    );
    net.write_bytes(
        "sites/beta/content/shots/kit.jpg",
        &jpeg_photo(1800, 1200, 6),
    );
    net.write_bytes(
        "sites/beta/static/images/diagram.png",
        &png_image(900, 600, true),
    );
    let before = files_below(&net.out("alpha"));
    let alpha_page = std::fs::read(net.out("alpha/guides/kit/index.html")).unwrap();
    net.build(&[]);
    assert_eq!(cached(&net), first, "nothing made again, nothing touched");
    assert_eq!(files_below(&net.out("alpha")), before);
    assert_eq!(
        std::fs::read(net.out("alpha/guides/kit/index.html")).unwrap(),
        alpha_page
    );
    let beta = net.html("beta/shots/index.html");
    let shown = attrs(&beta, ".prose img", "src");
    assert!(
        shown[0].starts_with("/processed_images/kit-1200x1800-"),
        "{shown:?}"
    );
    assert!(net.out(&format!("beta{}", shown[0])).is_file());
}

#[test]
fn unused_cache_files_are_collected_after_a_full_build() {
    let net = photo_site();
    net.build(&[]);
    let dir = net.path().join(".grove/images");
    let old = SystemTime::now() - Duration::from_secs(40 * 86_400);
    let set_old = |path: &Path| {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(old).unwrap();
    };
    // A file no page uses any more, and a used one not touched for long.
    std::fs::create_dir_all(dir.join("ff")).unwrap();
    std::fs::write(dir.join("ff/0123.webp"), b"stale").unwrap();
    set_old(&dir.join("ff/0123.webp"));
    let used = dir.join(&cached(&net)[0].0);
    set_old(&used);
    // A build of one site of two collects nothing.
    net.site("beta", "Beta");
    net.build(&["--site", "beta"]);
    assert!(dir.join("ff/0123.webp").is_file());
    let output = net.build(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!dir.join("ff/0123.webp").exists(), "{stdout}");
    assert!(stdout.contains("removed 1 processed image"), "{stdout}");
    assert!(used.is_file(), "a file in use stays");
}

#[test]
fn missing_images_are_named_and_broken_ones_stop_the_build() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/alpha/content/post.md",
        "+++\ntitle = \"Post\"\n+++\nText.\n\n![Gone](gone.jpg)\n",
    );
    let output = net.build(&[]);
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("image not found"), "{said}");
    assert!(
        said.contains("sites/alpha/content/post.md:6: gone.jpg"),
        "{said}"
    );
    net.write("sites/alpha/content/broken.jpg", "this is not a JPEG");
    net.write(
        "sites/alpha/content/post.md",
        "+++\ntitle = \"Post\"\n+++\nText.\n\n![Broken](/broken.jpg)\n",
    );
    let error = net.build_fails(&[]);
    assert!(
        error.contains("post.md:6:1: image `/broken.jpg`"),
        "{error}"
    );
    assert!(error.contains("broken.jpg: not a JPEG"), "{error}");
    // Files cut short at every tenth of their length, and a PNG whose
    // data is noise: built or refused, never a crash.
    let photo = jpeg_photo(320, 240, 1);
    let png = png_image(64, 48, true);
    let mut noisy = png.clone();
    for (i, byte) in noisy.iter_mut().enumerate().skip(40) {
        *byte ^= (i * 31 % 251) as u8;
    }
    for (name, bytes) in (1..10)
        .map(|tenth| ("cut.jpg", photo[..photo.len() * tenth / 10].to_vec()))
        .chain((1..10).map(|tenth| ("cut.png", png[..png.len() * tenth / 10].to_vec())))
        .chain([("noise.png", noisy)])
    {
        net.write_bytes(&format!("sites/alpha/content/{name}"), &bytes);
        net.write(
            "sites/alpha/content/post.md",
            &format!("+++\ntitle = \"Post\"\n+++\n![Cut](/{name})\n"),
        );
        let output = net.grove(&["build"]);
        let told = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{name}: {told}"
        );
        assert!(!told.contains("panicked"), "{name}: {told}");
        let _ = std::fs::remove_dir_all(net.path().join(".grove/images"));
    }
}

#[test]
fn templates_resize_fill_and_crop_social_images() {
    let net = photo_site();
    net.write(
        "sites/alpha/templates/shortcodes/thumb.html",
        r#"{%- set t = resize_image(path=path, width=300, height=200, op="fill", anchor="top_left", format="webp", quality=60) -%}<img class="thumb" src="{{ t.url }}" width="{{ t.width }}" height="{{ t.height }}" data-orig="{{ t.orig_width }}x{{ t.orig_height }}">"#,
    );
    net.write(
        "sites/alpha/content/guides/kit/index.md",
        "+++\ntitle = \"Kit\"\n[extra]\nimage = \"photo.jpg\"\nimage_alt = \"Kit\"\n+++\n{{ thumb(path=\"guides/kit/photo.jpg\") }}\n\n![Diagram](/images/diagram.png)\n",
    );
    net.write(
        "sites/alpha/content/guides/_index.md",
        "+++\ntitle = \"Guides\"\n+++\n",
    );
    net.build(&[]);
    let page = net.html("alpha/guides/kit/index.html");
    let thumb = select(&page, "img.thumb")[0].value();
    assert_eq!(
        (thumb.attr("width"), thumb.attr("height")),
        (Some("300"), Some("200"))
    );
    assert_eq!(thumb.attr("data-orig"), Some("1200x1800"));
    let made = probe(&net, thumb.attr("src").unwrap());
    assert_eq!(
        (made.format, made.width, made.height),
        (grove::image::Format::Webp, 300, 200)
    );
    // The cover is the page's first image; the body's images are lazy.
    let cover = select(&page, ".cover img")[0].value();
    assert_eq!(cover.attr("fetchpriority"), Some("high"));
    assert_eq!(attrs(&page, ".prose picture img", "loading"), vec!["lazy"]);
    // Social networks get the cover cropped to 1200x630 (from 1200x1800).
    let og = attrs(&page, "meta[property=\"og:image\"]", "content");
    let path = og[0].strip_prefix("https://alpha.example.com").unwrap();
    let social = probe(&net, path);
    assert_eq!(
        (social.format, social.width, social.height),
        (grove::image::Format::Jpeg, 1200, 630)
    );
    // A listing's card shows a thumbnail of the cover.
    let section = net.html("alpha/guides/index.html");
    let card = attrs(&section, ".card img", "src");
    assert_eq!(probe(&net, &card[0]).width, 640);
    let widths: Vec<u32> = candidates(&attrs(&section, ".card img", "srcset")[0])
        .iter()
        .map(|(url, w)| {
            assert_eq!(probe(&net, url).width, *w);
            *w
        })
        .collect();
    assert_eq!(widths, vec![320, 640]);
    // A wrong argument names the function and what it takes.
    net.write(
        "sites/alpha/templates/shortcodes/thumb.html",
        r#"{% set t = resize_image(path=path, width=10, op="squash") %}{{ t.url }}"#,
    );
    let error = net.build_fails(&[]);
    assert!(error.contains("unknown op `squash`"), "{error}");
}

fn said(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn audit_warns_on_missing_alt_text_and_heavy_images_and_check_names_missing_files() {
    let net = photo_site();
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\"]\n[images]\nmax_kb = 20\n",
    );
    net.write(
        "sites/alpha/content/guides/kit/index.md",
        "+++\ntitle = \"Kit\"\n+++\nIntro.\n\n![](photo.jpg)\n\n![A gone picture](gone.jpg)\n",
    );
    let audit = said(&net.grove(&["audit"]));
    assert!(audit.contains("image-alt"), "{audit}");
    assert!(audit.contains("content/guides/kit/index.md:6"), "{audit}");
    assert!(audit.contains("heavy-image"), "{audit}");
    assert!(audit.contains("limit 20 KB"), "{audit}");
    let check = net.grove(&["check", "--offline"]);
    assert!(!check.status.success());
    let check = said(&check);
    assert!(check.contains("content/guides/kit/index.md:8"), "{check}");
    assert!(check.contains("gone.jpg"), "{check}");
    assert_eq!(
        check.matches("gone.jpg").count(),
        1,
        "reported once: {check}"
    );
}

/// A server on 127.0.0.1 answering every GET with `body` as `kind`,
/// counting requests.
fn image_server(
    body: Vec<u8>,
    kind: &'static str,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (port, hits)
}

#[test]
fn remote_images_stay_remote_unless_fetching_is_asked_and_then_expire() {
    let (port, hits) = image_server(png_image(900, 600, false), "image/png");
    let url = format!("http://127.0.0.1:{port}/shots/product.png");
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "affiliates.toml",
        &format!(
            "[fetched]\nname = \"Fetched kettle\"\nurl = \"https://shop.example.com/kettle\"\nimage = \"{url}\"\nfetch_image = true\n\n[remote]\nname = \"Remote kettle\"\nurl = \"https://shop.example.com/other\"\nimage = \"https://cdn.example.com/kettle.jpg\"\nimage_width = 500\nimage_height = 400\n"
        ),
    );
    net.write(
        "sites/alpha/content/post.md",
        &format!(
            "+++\ntitle = \"Post\"\n+++\nText.\n\n![A kettle]({url})\n\n{{{{ product_box(slug=\"fetched\") }}}}\n\n{{{{ product_box(slug=\"remote\") }}}}\n"
        ),
    );
    net.build(&[]);
    let page = net.html("alpha/post/index.html");
    // Content images stay remote by default; the registry's fetched
    // product is made into the product box's WebP.
    assert_eq!(attrs(&page, ".prose > p img", "src")[0], url);
    let boxes = attrs(&page, ".product-image", "src");
    assert!(
        boxes[0].starts_with("/processed_images/product-240x160-"),
        "{boxes:?}"
    );
    assert_eq!(boxes[1], "https://cdn.example.com/kettle.jpg");
    assert_eq!(attrs(&page, ".product-image", "width")[1], "500");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    // With fetch_remote, content images are fetched too: the copy is
    // reused while young, and fetched again once past its age.
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\"]\n[images]\nfetch_remote = true\n",
    );
    net.build(&[]);
    let page = net.html("alpha/post/index.html");
    let shown = attrs(&page, ".prose picture img", "src");
    assert!(
        shown[0].starts_with("/processed_images/product-900x600-"),
        "{shown:?}"
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the copy is reused"
    );
    let remote = net.path().join(".grove/images/remote");
    for file in files_below(&remote) {
        let file = std::fs::File::options()
            .write(true)
            .open(remote.join(file))
            .unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(25 * 3600))
            .unwrap();
    }
    net.build(&[]);
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "fetched again after 24 hours"
    );
}
