#!/usr/bin/env python3
"""Writes the audit test corpus: sites/ below this folder, from base/.

The corpus is a network of sites whose pages are controlled variants of
three base articles, so that tests/audit.rs knows the ground truth:

  originals/      the base articles as they are
  light-edits/    1% of words replaced        (Jaccard about 0.9: near-duplicates)
  shuffled/       sections in another order   (about 0.95)
  additions/      three sentences added       (about 0.9)
  medium-edits/   3% of words replaced        (about 0.75: just below 0.8)
  rewrites/       10% of words replaced       (about 0.4: well below)
  niche-*/        the houseplant article with its niche nouns swapped
                  (below 0.8 pairwise, but most of it shared by 5 sites:
                  boilerplate)

tests/audit.rs computes every pair's exact Jaccard itself; the figures
above are what to expect, not what is asserted. Run this script again after
editing base/ and commit the result. Deterministic: a fixed seed.
"""

import random
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"
FILLER = [
    "quietly", "often", "bright", "simple", "careful", "steady", "small", "warm",
    "usually", "gentle", "clear", "patient", "fresh", "early", "plain", "sturdy",
]
ADDED = [
    "Many readers ask about this step, and the answer is almost always the same.",
    "It is worth writing down what you did, so that next time is easier.",
    "None of this needs expensive equipment, only a little attention.",
]
NICHES = {
    "niche-ferns": {"houseplants": "ferns", "houseplant": "fern", "plants": "ferns",
                    "plant": "fern", "leaves": "fronds", "leaf": "frond",
                    "pot": "basket", "pots": "baskets", "soil": "peat"},
    "niche-orchids": {"houseplants": "orchids", "houseplant": "orchid", "plants": "orchids",
                      "plant": "orchid", "leaves": "blooms", "leaf": "bloom",
                      "pot": "vase", "pots": "vases", "soil": "bark"},
    "niche-cacti": {"houseplants": "cacti", "houseplant": "cactus", "plants": "cacti",
                    "plant": "cactus", "leaves": "spines", "leaf": "spine",
                    "pot": "dish", "pots": "dishes", "soil": "grit"},
    "niche-palms": {"houseplants": "palms", "houseplant": "palm", "plants": "palms",
                    "plant": "palm", "leaves": "fronds", "leaf": "frond",
                    "pot": "tub", "pots": "tubs", "soil": "loam"},
}


def read_base(path):
    lines = path.read_text().splitlines()
    title = lines[0].lstrip("# ").strip()
    return title, "\n".join(lines[1:]).strip() + "\n"


def page(title, description, body):
    return f'+++\ntitle = "{title}"\ndescription = "{description}"\n+++\n\n{body}'


def swap_words(body, share, rng):
    """Replaces `share` of the prose words (not headings) with filler words."""
    tokens = re.split(r"(\b[A-Za-z]+\b)", body)
    words = [i for i, t in enumerate(tokens) if i % 2 == 1]
    for i in rng.sample(words, round(len(words) * share)):
        tokens[i] = rng.choice([w for w in FILLER if w != tokens[i].lower()])
    return "".join(tokens)


def shuffle_sections(body, rng):
    parts = re.split(r"(?m)^(?=## )", body)
    intro, sections = parts[0], parts[1:]
    while True:
        shuffled = sections[:]
        rng.shuffle(shuffled)
        if shuffled != sections:
            break
    return intro + "".join(s if s.endswith("\n\n") else s.rstrip("\n") + "\n\n" for s in shuffled).rstrip("\n") + "\n"


def add_sentences(body):
    paragraphs = body.split("\n\n")
    for n, sentence in enumerate(ADDED):
        at = 1 + n * (len(paragraphs) - 1) // len(ADDED)
        while paragraphs[at].startswith("## "):
            at += 1
        paragraphs[at] = paragraphs[at] + " " + sentence
    return "\n\n".join(paragraphs)


def swap_niche(body, nouns):
    def replace(match):
        word = match.group(0)
        new = nouns.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new
    return re.sub(r"\b[A-Za-z]+\b", replace, body)


def write(site, name, text):
    folder = SITES / site
    (folder / "content").mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(
        f'title = "{site}"\nbase_url = "https://{site}.example.com"\n'
        f'niche = "{site}"\naudience = "testers"\n'
    )
    (folder / "content" / name).write_text(text)


def main():
    rng = random.Random(2026)
    if SITES.exists():
        shutil.rmtree(SITES)
    for path in sorted((HERE / "base").glob("*.md")):
        title, body = read_base(path)
        name = path.name
        about = f"A tested, step-by-step guide: {title.lower()}, for readers new to it."
        write("originals", name, page(title, about, body))
        write("light-edits", name, page(f"{title}, revised", about, swap_words(body, 0.01, rng)))
        write("shuffled", name, page(f"{title}, reordered", about, shuffle_sections(body, rng)))
        write("additions", name, page(f"{title}, expanded", about, add_sentences(body)))
        write("medium-edits", name, page(f"{title}, edited", about, swap_words(body, 0.03, rng)))
        write("rewrites", name, page(f"{title}, rewritten", about, swap_words(body, 0.10, rng)))
        if name == "houseplants.md":
            for site, nouns in NICHES.items():
                text = swap_niche(body, nouns)
                niche_title = swap_niche(title, nouns)
                write(site, name, page(niche_title, swap_niche(about, nouns), text))


if __name__ == "__main__":
    main()
