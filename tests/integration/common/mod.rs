//! Helpers for integration tests: fixture networks in temporary folders,
//! running the real `grove` binary, and reading output as parsed HTML.

pub mod batch_server;
pub mod hosts;
pub mod llm_server;
pub mod measuring;
pub mod serve;
pub mod smtp;
pub mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

/// The repository root (the example network).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A network in a temporary folder.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A minimal network: grove.toml and the default theme, no sites.
    pub fn new() -> Fixture {
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        copy_dir(&repo().join("themes"), &fixture.path().join("themes"));
        fixture.write(
            "grove.toml",
            "[network]\nname = \"Test\"\ntaxonomies = [\"tags\", \"categories\"]\n",
        );
        fixture
    }

    /// A network as `grove new` writes it (`--name Mine`).
    pub fn scaffolded() -> Fixture {
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        let output = Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("new")
            .arg(fixture.path())
            .args(["--name", "Mine"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        fixture
    }

    /// A copy of the repository's example network.
    pub fn example() -> Fixture {
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        for dir in ["content", "sites", "themes", "prompts"] {
            copy_dir(&repo().join(dir), &fixture.path().join(dir));
        }
        for file in ["grove.toml", "affiliates.toml"] {
            std::fs::copy(repo().join(file), fixture.path().join(file)).unwrap();
        }
        fixture
    }

    /// The network root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file below the root, creating folders.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    /// Writes a binary file below the root, creating folders.
    pub fn write_bytes(&self, rel: &str, text: &[u8]) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Adds a site with the given folder name and title.
    pub fn site(&self, name: &str, title: &str) -> &Self {
        self.write(
            &format!("sites/{name}/site.toml"),
            &format!(
                "title = \"{title}\"\nbase_url = \"https://{name}.example.com\"\nniche = \"{name} things\"\naudience = \"{name} fans\"\n[vars]\nproduct_kind = \"{name} widgets\"\n[affiliate]\namazon_tag = \"{name}-20\"\n"
            ),
        )
    }

    /// Runs `grove --root <root> args...`.
    pub fn grove(&self, args: &[&str]) -> Output {
        grove_in(self.path(), args)
    }

    /// Runs `grove --root <root> args...` with extra environment variables.
    pub fn grove_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("--root")
            .arg(self.path())
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("run grove")
    }

    /// `grove --root <root> args...`, ready to spawn with its output
    /// captured (for runs side by side).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grove"));
        command
            .arg("--root")
            .arg(self.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    }

    /// Reads a file below the root.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs `grove build args...` and panics with its output if it fails.
    pub fn build(&self, args: &[&str]) -> Output {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let output = self.grove(&all);
        assert!(
            output.status.success(),
            "grove build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Runs `grove build args...`, expects failure, returns stderr.
    pub fn build_fails(&self, args: &[&str]) -> String {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let output = self.grove(&all);
        assert!(
            !output.status.success(),
            "grove build unexpectedly succeeded"
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Path of an output file: `public/<rel>`.
    pub fn out(&self, rel: &str) -> PathBuf {
        self.path().join("public").join(rel)
    }

    /// Parses output file `public/<rel>` as HTML.
    pub fn html(&self, rel: &str) -> Html {
        let path = self.out(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Html::parse_document(&text)
    }
}

/// Waits for every child and asserts that each succeeded.
pub fn all_succeed(children: Vec<std::process::Child>) {
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs the grove binary with `--root root`.
pub fn grove_in(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grove"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("run grove")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Text of every element matching `selector`, whitespace-collapsed.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Text of the single element matching `selector`.
pub fn text(html: &Html, selector: &str) -> String {
    let all = texts(html, selector);
    assert_eq!(all.len(), 1, "expected one `{selector}`, found {all:?}");
    all.into_iter().next().unwrap()
}

/// Attribute `attr` of every element matching `selector`.
pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The site folders of output folder `out` (not Grove's hidden lock and
/// list files), sorted.
pub fn site_folders(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// `bytes` gunzipped.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut plain).unwrap();
    plain
}

/// Every file below `dir`, relative, sorted.
pub fn files_below(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

/// A photo-like JPEG (smooth gradients and some detail) of `width` x
/// `height` stored pixels, with an EXIF segment holding `orientation` and a
/// GPS-looking string, as cameras and phones write them.
pub fn jpeg_photo(width: u16, height: u16, orientation: u8) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for y in 0..u32::from(height) {
        for x in 0..u32::from(width) {
            // The top-left quarter is red: where it ends up shows the turn.
            let marker = x < u32::from(width) / 4 && y < u32::from(height) / 4;
            let noise = ((x * 7919 + y * 104_729) % 23) as u8;
            if marker {
                pixels.extend_from_slice(&[230, 20, 20]);
            } else {
                pixels.extend_from_slice(&[
                    (x * 200 / u32::from(width)) as u8 + noise,
                    (y * 200 / u32::from(height)) as u8 + noise,
                    120 + noise,
                ]);
            }
        }
    }
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
    let mut exif = b"MM\0*\0\0\0\x08\0\x02".to_vec();
    // Orientation (SHORT) and an ASCII tag pointing past the IFD.
    exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    let text = b"GPS 48.858370 N 2.294481 E SERIAL-123456\0";
    exif.extend_from_slice(&[0x01, 0x0E, 0, 2, 0, 0, 0, text.len() as u8, 0, 0, 0, 38]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    exif.extend_from_slice(text);
    encoder.add_exif_metadata(&exif).unwrap();
    encoder
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    jpeg
}

/// A PNG of `width` x `height`, with an alpha channel when `alpha`.
pub fn png_image(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let channels = if alpha { 4 } else { 3 };
    let data: Vec<u8> = (0..width * height)
        .flat_map(|i| [(i % 251) as u8, (i / width % 251) as u8, 90, 128][..channels].to_vec())
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}
