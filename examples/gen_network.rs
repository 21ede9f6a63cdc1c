//! Writes a synthetic network for benchmarks: N sites x M pages of ~600
//! words, each page with 3 tags from a pool of 200, one section listing every
//! page, and tag pages. The same Markdown is written twice: as a Grove
//! network (`<out>/grove/`) and as one Hugo site per niche (`<out>/hugo/<site>/`),
//! each with equivalent minimal templates, so both tools do the same work.
//!
//! The workload's shape varies with `--words W` (words per page, default
//! ~600), `--tags K --tag-pool N` (K tags per page from a pool of N,
//! default 3 of 200), `--depth D` (pages spread over sections nested D
//! levels deep, default 1: one section), `--taxonomies T` (T taxonomies
//! besides tags, each 2 terms per page of 50) and `--paginate N` (both
//! tools list sections 10 per page): `scripts/bench.sh` runs a matrix of
//! them.
//!
//! With `--replicated P`, P% of each site's pages are one shared article
//! per page number with 1 to 10% of its words replaced per site: the
//! near-copies and boilerplate `grove audit` looks for. `--no-hugo` skips
//! the Hugo copy.
//!
//! ```sh
//! cargo run --release --example gen_network -- --sites 1 --pages 10000 --out bench-out/10k
//! ```

use std::fs;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "grinder",
    "burr",
    "espresso",
    "shot",
    "dose",
    "yield",
    "water",
    "temperature",
    "pressure",
    "basket",
    "tamp",
    "crema",
    "roast",
    "bean",
    "flavour",
    "acid",
    "sweet",
    "bitter",
    "balance",
    "extraction",
    "trail",
    "shoe",
    "grip",
    "lug",
    "drop",
    "cushion",
    "fit",
    "race",
    "pace",
    "climb",
    "tank",
    "filter",
    "cycle",
    "fish",
    "plant",
    "nitrate",
    "ammonia",
    "gravel",
    "the",
    "a",
    "and",
    "with",
    "for",
    "when",
    "your",
    "every",
    "more",
    "less",
    "than",
    "because",
    "slowly",
    "carefully",
    "measure",
    "change",
    "adjust",
    "taste",
    "check",
    "choose",
    "keep",
];

/// A small deterministic generator (64-bit LCG), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn sentence(&mut self, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            let w = WORDS[self.below(WORDS.len())];
            if i == 0 {
                let mut c = w.chars();
                s.extend(c.next().unwrap().to_uppercase());
                s.push_str(c.as_str());
            } else {
                s.push(' ');
                if self.below(25) == 0 {
                    s.push_str(&format!("**{w}**"));
                } else {
                    s.push_str(w);
                }
            }
        }
        s.push('.');
        s
    }
}

struct Args {
    sites: usize,
    pages: usize,
    out: PathBuf,
    /// Grove only: paginate the posts section (for the preview benchmark).
    paginate: Option<usize>,
    /// Percent of each site's pages replicated across sites, lightly edited.
    replicated: usize,
    /// Write the Grove network only.
    no_hugo: bool,
    /// Grove with the default theme as `grove new` writes it and every
    /// feature on (feeds, related pages), instead of the minimal templates.
    default_theme: bool,
    /// About how many words a page has.
    words: usize,
    /// Tags per page.
    tags: usize,
    /// How many distinct tags there are.
    tag_pool: usize,
    /// How deep pages are nested in sections (1: all in `posts/`).
    depth: usize,
    /// Taxonomies besides `tags`.
    taxonomies: usize,
}

/// Names of the taxonomies besides `tags`.
const EXTRA_TAXONOMIES: &[&str] = &["categories", "series", "topics", "brands", "levels"];

fn parse_args() -> Args {
    let mut args = Args {
        sites: 1,
        pages: 1000,
        out: PathBuf::from("bench-out/net"),
        paginate: None,
        replicated: 0,
        no_hugo: false,
        default_theme: false,
        words: 600,
        tags: 3,
        tag_pool: 200,
        depth: 1,
        taxonomies: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-hugo" {
            args.no_hugo = true;
            continue;
        }
        if flag == "--default-theme" {
            args.default_theme = true;
            continue;
        }
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sites" => args.sites = value.parse().expect("--sites N"),
            "--pages" => args.pages = value.parse().expect("--pages N"),
            "--out" => args.out = PathBuf::from(value),
            "--paginate" => args.paginate = Some(value.parse().expect("--paginate N")),
            "--replicated" => args.replicated = value.parse().expect("--replicated PERCENT"),
            "--words" => args.words = value.parse().expect("--words N"),
            "--tags" => args.tags = value.parse().expect("--tags N"),
            "--tag-pool" => args.tag_pool = value.parse().expect("--tag-pool N"),
            "--depth" => args.depth = value.parse::<usize>().expect("--depth N").max(1),
            "--taxonomies" => {
                args.taxonomies = value
                    .parse::<usize>()
                    .expect("--taxonomies N")
                    .min(EXTRA_TAXONOMIES.len())
            }
            other => panic!(
                "unknown flag {other}; use --sites N --pages N --out DIR [--paginate N] [--replicated PERCENT] [--words N] [--tags N] [--tag-pool N] [--depth N] [--taxonomies N] [--no-hugo] [--default-theme]"
            ),
        }
    }
    args
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// About `words` words (600: 3 headed parts of 4 paragraphs), a summary
/// marker, one internal link.
fn body(rng: &mut Rng, page: usize, pages: usize, words: usize, depth: usize) -> String {
    let paragraphs = (words * 4).div_ceil(600).max(1);
    let mut text = rng.sentence(20);
    text.push_str("\n\n<!-- more -->\n\n");
    for part in 0..3 {
        text.push_str(&format!("## {}\n\n", rng.sentence(4).trim_end_matches('.')));
        for _ in 0..paragraphs {
            for _ in 0..3 {
                text.push_str(&rng.sentence(15));
                text.push(' ');
            }
            text.push_str("\n\n");
        }
        if part == 1 {
            text.push_str(&format!(
                "See also [page {0}](LINK{1}).\n\n",
                (page + 1) % pages,
                page_path((page + 1) % pages, depth)
            ));
        }
    }
    text
}

/// The section folder of page `page`: `posts`, then `depth - 1` nested
/// levels of three sections each (`posts/s1/s0`).
fn page_dir(page: usize, depth: usize) -> String {
    let mut dir = String::from("posts");
    for level in 1..depth {
        dir.push_str(&format!("/s{}", (page / 3usize.pow(level as u32 - 1)) % 3));
    }
    dir
}

/// A page's path below `content/`, without extension.
fn page_path(page: usize, depth: usize) -> String {
    format!("{}/p{page}", page_dir(page, depth))
}

/// `text` with each word replaced by a random one with probability
/// `percent`%: a light edit of a shared article.
fn edit(rng: &mut Rng, text: &str, percent: usize) -> String {
    text.split(' ')
        .map(|word| {
            if word.chars().all(|c| c.is_ascii_lowercase()) && rng.below(100) < percent {
                WORDS[rng.below(WORDS.len())]
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The taxonomies of the Grove network, as a TOML array.
fn taxonomy_list(args: &Args) -> String {
    let names: Vec<String> = std::iter::once("tags")
        .chain(EXTRA_TAXONOMIES[..args.taxonomies].iter().copied())
        .map(|n| format!("\"{n}\""))
        .collect();
    format!("[{}]", names.join(", "))
}

/// A page's terms: tags, then each extra taxonomy's, as front matter lines.
fn terms(rng: &mut Rng, args: &Args) -> String {
    let tags: Vec<String> = (0..args.tags)
        .map(|_| format!("\"tag-{}\"", rng.below(args.tag_pool)))
        .collect();
    let mut lines = format!("tags = [{}]\n", tags.join(", "));
    for name in &EXTRA_TAXONOMIES[..args.taxonomies] {
        let terms: Vec<String> = (0..2)
            .map(|_| format!("\"{name}-{}\"", rng.below(50)))
            .collect();
        lines.push_str(&format!("{name} = [{}]\n", terms.join(", ")));
    }
    lines
}

fn main() {
    let args = parse_args();
    let _ = fs::remove_dir_all(&args.out);
    let grove = args.out.join("grove");
    let hugo = args.out.join("hugo");

    if args.default_theme {
        // What users build: the default theme, feeds, related pages,
        // sitemap and JSON-LD, all as `grove new` sets them.
        write(
            &grove.join("grove.toml"),
            &format!(
                "[network]\nname = \"bench\"\ntheme = \"default\"\ntaxonomies = {}\n",
                taxonomy_list(&args)
            ),
        );
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
            &grove.join("themes/default"),
        );
    } else {
        write(
            &grove.join("grove.toml"),
            // Same work as the Hugo sites: sitemap yes; feeds and related lists
            // no (Hugo's RSS is disabled and neither template shows related pages).
            &format!(
                "[network]\nname = \"bench\"\ntheme = \"bench\"\ntaxonomies = {}\n[seo]\nfeeds = false\nrelated_pages = 0\n",
                taxonomy_list(&args)
            ),
        );
        write_grove_theme(&grove.join("themes/bench/templates"));
    }
    write(
        &grove.join("content/_index.md"),
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    write(
        &grove.join("content/posts/_index.md"),
        &format!(
            "+++\ntitle = \"Posts\"\nsort_by = \"date\"\n{}+++\n",
            args.paginate
                .map(|n| format!("paginate_by = {n}\n"))
                .unwrap_or_default()
        ),
    );

    let mut rng = Rng(42);
    for site in 0..args.sites {
        let name = format!("site-{site:03}");
        write(
            &grove.join(format!("sites/{name}/site.toml")),
            &format!(
                "title = \"Site {site}\"\nbase_url = \"https://{name}.example.com\"\nniche = \"niche {site}\"\n"
            ),
        );
        let hugo_site = hugo.join(&name);
        if !args.no_hugo {
            write(
                &hugo_site.join("hugo.toml"),
                &format!(
                    "baseURL = \"https://{name}.example.com/\"\ntitle = \"Site {site}\"\ndisableKinds = [\"RSS\", \"robotsTXT\"]\n{}[taxonomies]\ntag = \"tags\"\n{}[markup.goldmark.renderer]\nunsafe = true\n",
                    args.paginate
                        .map(|n| format!("paginate = {n}\n"))
                        .unwrap_or_default(),
                    EXTRA_TAXONOMIES[..args.taxonomies]
                        .iter()
                        .map(|t| format!("{t} = \"{t}\"\n"))
                        .collect::<String>()
                ),
            );
            write(
                &hugo_site.join("content/_index.md"),
                "---\ntitle: Home\n---\nWelcome.\n",
            );
            write(
                &hugo_site.join("content/posts/_index.md"),
                "---\ntitle: Posts\n---\n",
            );
            write_hugo_layouts(&hugo_site.join("layouts"), args.paginate.is_some());
        }

        let mut sections = std::collections::BTreeSet::new();
        for page in 0..args.pages {
            let terms = terms(&mut rng, &args);
            let path = page_path(page, args.depth);
            let dir = page_dir(page, args.depth);
            let mut parent = dir.as_str();
            while let Some((up, _)) = parent.rsplit_once('/') {
                sections.insert(parent.to_string());
                parent = up;
            }
            let date = format!(
                "20{:02}-{:02}-{:02}",
                10 + page % 15,
                1 + page % 12,
                1 + page % 28
            );
            let text = if page * 100 < args.replicated * args.pages {
                let shared = body(
                    &mut Rng(1_000 + page as u64),
                    page,
                    args.pages,
                    args.words,
                    args.depth,
                );
                let percent = [1, 2, 5, 10][rng.below(4)];
                edit(&mut rng, &shared, percent)
            } else {
                body(&mut rng, page, args.pages, args.words, args.depth)
            };
            let title = rng.sentence(5).trim_end_matches('.').replace("**", "");
            let grove_body = text.replace("](LINK", "](@/");
            let grove_body = grove_body.replace(").\n", ".md).\n");
            write(
                &grove.join(format!("sites/{name}/content/{path}.md")),
                &format!("+++\ntitle = \"{title}\"\ndate = {date}\n{terms}+++\n{grove_body}"),
            );
            if args.no_hugo {
                continue;
            }
            let hugo_body = text.replace("](LINK", "]({{< ref \"");
            let hugo_body = hugo_body.replace(").\n", ".md\" >}}).\n");
            write(
                &hugo_site.join(format!("content/{path}.md")),
                &format!("+++\ntitle = \"{title}\"\ndate = {date}\n{terms}+++\n{hugo_body}"),
            );
        }
        // Nested sections, each with its `_index.md` in both.
        for section in &sections {
            let title = section.rsplit('/').next().unwrap_or(section);
            write(
                &grove.join(format!("sites/{name}/content/{section}/_index.md")),
                &format!("+++\ntitle = \"Section {title}\"\n+++\n"),
            );
            if !args.no_hugo {
                write(
                    &hugo_site.join(format!("content/{section}/_index.md")),
                    &format!("---\ntitle: Section {title}\n---\n"),
                );
            }
        }
    }
    println!(
        "wrote {} sites x {} pages to {}",
        args.sites,
        args.pages,
        args.out.display()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::create_dir_all(to).unwrap();
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn write_grove_theme(dir: &Path) {
    write(
        &dir.join("base.html"),
        "<!doctype html>\n<html lang=\"{{ lang }}\">\n<head><meta charset=\"utf-8\"><title>{% block title %}{{ site.title }}{% endblock title %}</title><link rel=\"canonical\" href=\"{{ current_url }}\"></head>\n<body><header><a href=\"{{ get_url(path='/') }}\">{{ site.title }}</a></header>\n<main>{% block content %}{% endblock content %}</main>\n</body>\n</html>\n",
    );
    write(
        &dir.join("index.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>{{ section.title }}</h1>{{ section.content | safe }}{% endblock content %}",
    );
    write(
        &dir.join("section.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>{{ section.title }}</h1><ul>{% if paginator %}{% set listed = paginator.pages %}{% else %}{% set listed = section.pages %}{% endif %}{% for p in listed %}<li><a href=\"{{ p.path }}\">{{ p.title }}</a> {{ p.date }}<p>{{ p.summary | safe }}</p></li>{% endfor %}</ul>{% endblock content %}",
    );
    write(
        &dir.join("page.html"),
        "{% extends \"base.html\" %}{% block title %}{{ page.title }}{% endblock title %}{% block content %}<article><h1>{{ page.title }}</h1><time>{{ page.date }}</time>{{ page.content | safe }}<ul>{% for t in page.taxonomies.tags %}<li><a href=\"{{ t.path }}\">{{ t.name }}</a></li>{% endfor %}</ul>{% if page.previous %}<a href=\"{{ page.previous.path }}\">{{ page.previous.title }}</a>{% endif %}{% if page.next %}<a href=\"{{ page.next.path }}\">{{ page.next.title }}</a>{% endif %}</article>{% endblock content %}",
    );
    write(
        &dir.join("taxonomy_list.html"),
        "{% extends \"base.html\" %}{% block content %}<ul>{% for t in taxonomy.terms %}<li><a href=\"{{ t.path }}\">{{ t.name }}</a> {{ t.page_count }}</li>{% endfor %}</ul>{% endblock content %}",
    );
    write(
        &dir.join("taxonomy_single.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>{{ term.name }}</h1><ul>{% for p in term.pages %}<li><a href=\"{{ p.path }}\">{{ p.title }}</a></li>{% endfor %}</ul>{% endblock content %}",
    );
}

fn write_hugo_layouts(dir: &Path, paginate: bool) {
    // Sections list their pages like Grove's `section.html`: ten per
    // listing page when paginated.
    let listed = if paginate {
        "(.Paginate .Pages.ByDate.Reverse).Pages"
    } else {
        ".Pages.ByDate.Reverse"
    };
    write(
        &dir.join("_default/baseof.html"),
        "<!doctype html>\n<html lang=\"{{ .Site.LanguageCode }}\">\n<head><meta charset=\"utf-8\"><title>{{ block \"title\" . }}{{ .Site.Title }}{{ end }}</title><link rel=\"canonical\" href=\"{{ .Permalink }}\"></head>\n<body><header><a href=\"{{ \"/\" | relURL }}\">{{ .Site.Title }}</a></header>\n<main>{{ block \"main\" . }}{{ end }}</main>\n</body>\n</html>\n",
    );
    write(
        &dir.join("index.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}",
    );
    write(
        &dir.join("_default/list.html"),
        &format!(
            "{{{{ define \"main\" }}}}<h1>{{{{ .Title }}}}</h1><ul>{{{{ range {listed} }}}}<li><a href=\"{{{{ .RelPermalink }}}}\">{{{{ .Title }}}}</a> {{{{ .Date.Format \"2006-01-02\" }}}}<p>{{{{ .Summary }}}}</p></li>{{{{ end }}}}</ul>{{{{ end }}}}"
        ),
    );
    write(
        &dir.join("_default/single.html"),
        "{{ define \"title\" }}{{ .Title }}{{ end }}{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02\" }}</time>{{ .Content }}<ul>{{ range .GetTerms \"tags\" }}<li><a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ with .PrevInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</article>{{ end }}",
    );
    write(
        &dir.join("_default/terms.html"),
        "{{ define \"main\" }}<ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}",
    );
    write(
        &dir.join("_default/taxonomy.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    );
}
