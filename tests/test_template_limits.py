"""A consultation's templates cannot exhaust the memory or the processor: each attack is refused
in French, naming the template and its line, and nothing is written.

Each render runs in its own process, its address space capped at 2 Go, with a generous timeout
that only guards against a hang (the tool used to hang or die of « MemoryError » on them).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_CONSULTATION

AT_LANCEMENT = (
    "etape: lancement\nhistorique:\n  - de: appel\n    vers: lancement\n    date: 2026-03-01T09:30:00+01:00\n    par: "
    "Marie\n"
)
MEMORY_CAP = 2 * 1024**3

ATTACKS = {
    "boucles-imbriquees": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "pourcent": "{{ '%0999999999d' % 1 }}",
    "filtre-format": "{{ '%0999999999d'|format(1) }}",
    "methode-format": "{{ '{:0999999999d}'.format(1) }}",
    "format-largeur-argument": "{{ '{:{}}'.format(1, 999999999) }}",
    "lipsum": "{{ lipsum(n=2000000) }}",
    "center": "{{ 'x'|center(999999999) }}",
    "ljust": "{{ 'x'.ljust(999999999) }}",
    "doublement": "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ "
    "ns.s|length }}",
    "addition": "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ "
    "ns.s|length }}",
    "replace": "{{ ('x' * 100000)|replace('', 'yyyyyyyyyy') }}",
    "join": "{{ ('x' * 100000).join(range(100000)) }}",
}


def _render(root: Path) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", "-C", str(root), "render"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        preexec_fn=cap,
        timeout=600,  # a hang guard only
        check=False,
    )


@pytest.mark.parametrize("payload", list(ATTACKS.values()), ids=list(ATTACKS))
def test_template_work_is_bounded(make_tree: Callable[[dict[str, str | bytes]], Path], payload: str) -> None:
    root = make_tree(
        {
            "consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel\nhistorique: []\n", AT_LANCEMENT),
            "templates/synthese-des-contributions.md.j2": "# Synthèse\n\n" + payload + "\n",
        }
    )
    r = _render(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.startswith("Erreur : templates/synthese-des-contributions.md.j2:3:"), r.stderr
    assert "bac à sable" in r.stderr
    assert "Erreur interne" not in r.stdout + r.stderr
    assert not (root / "documents").exists()


def test_ordinary_loops_and_texts_still_render(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    """Below the bounds, the same constructions work: loops, formats, joins, lipsum."""
    root = make_tree(
        {
            "consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel\nhistorique: []\n", AT_LANCEMENT),
            "templates/synthese-des-contributions.md.j2": (
                "# Synthèse\n\n{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}"
                "{{ '%05d' % 42 }} {{ '%03d'|format(7) }} {{ '{:>6}'.format('ab') }} {{ 'x'|center(5) }}|"
                " {{ ', '.join(['a', 'b']) }} {{ 'a-b'|replace('-', ' et ') }} {{ ('x' ~ 'y') * 3 }}"
                " {{ lipsum(n=1, html=False)|length > 0 }}\n"
            ),
        }
    )
    r = _render(root)
    assert r.returncode == 0, r.stdout + r.stderr
    text = next((root / "documents").rglob("synthese-des-contributions.md")).read_text(encoding="utf-8")
    assert "00042 007     ab   x  | a, b a et b xyxyxy True" in text
