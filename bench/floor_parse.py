"""The floor for « check »: read every file of the consultation and parse its YAML with libyaml.

Nothing else: no validation, no links. ``ateliers check`` is measured against this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def main(root: Path) -> int:
    n = 0
    for path in sorted(root.rglob("*")):
        if path.suffix == ".md" and path.parent.name == "contributions":
            text = path.read_text(encoding="utf-8")
            _, fm, _body = text.split("---\n", 2)
            yaml.load(fm, Loader=Loader)
            n += 1
        elif path.suffix == ".yaml" and "documents" not in path.parts:
            yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
            n += 1
    return n


if __name__ == "__main__":
    print(main(Path(sys.argv[1])))
