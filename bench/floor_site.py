"""The floor for « ateliers site »: the least any static site generator does for N contributions.

For every contribution: read the file, parse its YAML front matter with libyaml, render its
Markdown with markdown-it, put it in a small Jinja2 page (autoescape on) and write the page.
One process, no validation, no sanitiser, no traceability, no other page.
``ateliers site`` is measured against this (target: within 1.5×).

    python bench/floor_site.py /tmp/c10000 /tmp/floor-out
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ meta.id }} — {{ titre }}</title>
<link rel="stylesheet" href="../site.css"></head>
<body><main><h1>Contribution {{ meta.id }}</h1>
<p>{{ meta.auteur }}, {{ meta.date }}, {{ meta.territoire }}</p>
<ul>{% for t in meta.themes or [] %}<li>{{ t }}</li>{% endfor %}</ul>
{{ corps }}
</main></body></html>
"""


def main(root: Path, out: Path) -> int:
    (out / "contributions").mkdir(parents=True)
    env = jinja2.Environment(autoescape=True)
    template = env.from_string(PAGE)
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    n = 0
    for path in sorted((root / "contributions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, fm, body = text.split("---\n", 2)
        meta = yaml.load(fm, Loader=Loader)
        page = template.render(meta=meta, titre=meta.get("titre", ""), corps=jinja2.utils.markupsafe.Markup(md.render(body)))
        (out / "contributions" / f"{path.stem}.html").write_text(page, encoding="utf-8")
        n += 1
    return n


if __name__ == "__main__":
    target = Path(sys.argv[2])
    if target.exists():
        shutil.rmtree(target)
    start = time.perf_counter()
    count = main(Path(sys.argv[1]), target)
    print(f"{count} pages en {time.perf_counter() - start:.2f} s")
