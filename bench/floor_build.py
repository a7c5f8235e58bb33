"""The floor for « render » and « site »: parse + Markdown + Jinja2 + write, one page per contribution.

Reads every contribution, parses its front matter with libyaml, renders its text
with markdown-it, puts it in a small Jinja2 page and writes the HTML file.
Nothing else: no links, no figures, no sanitising. ``ateliers render`` and
``ateliers site`` are measured against this.

    python bench/floor_build.py CONSULTATION OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PAGE = jinja2.Template(
    """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ fm.id }}</title></head>
<body><main><h1>Contribution {{ fm.id }}</h1>
<p>{{ fm.auteur }} — {{ fm.territoire }} — {{ fm.date }}</p>
{{ body }}
</main></body></html>
""",
    autoescape=True,
)


def main(root: Path, out: Path) -> int:
    md = MarkdownIt("commonmark")
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sorted((root / "contributions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, fm_text, body = text.split("---\n", 2)
        fm = yaml.load(fm_text, Loader=Loader)
        html = PAGE.render(fm=fm, body=jinja2.utils.markupsafe.Markup(md.render(body)))
        (out / f"{path.stem}.html").write_text(html, encoding="utf-8")
        n += 1
    return n


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])))
