"""``ateliers init``: a new consultation folder that ``check`` accepts."""

from __future__ import annotations

import json
import re
import shutil
import string
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path

from ateliers_cli.clock import today
from ateliers_cli.errors import AteliersError
from ateliers_cli.schema import FILE_KINDS, json_schema


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "consultation"


@dataclass
class InitOptions:
    titre: str = "Nouvelle consultation"
    collectivite: str = "Département du Nord"
    conseil: str = "Conseil départemental du Nord"
    git: bool = False


def write_schemas(out: Path) -> list[Path]:
    """Write the JSON Schema of every file kind into ``out``."""
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for kind in FILE_KINDS:
            path = out / f"{kind}.schema.json"
            path.write_text(json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            written.append(path)
    except OSError as exc:  # « --out » names a file, a read-only place…
        from ateliers_cli.yamlio import os_reason

        raise AteliersError(
            f"impossible d'écrire les schémas dans « {out} » : {os_reason(exc)}",
            hint="indiquez avec --out un dossier où vous pouvez écrire",
        ) from None
    return written


def init(target: Path, options: InitOptions) -> list[Path]:
    """Create a consultation in ``target`` (which must be absent or empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise AteliersError(
            f"le dossier « {target} » existe déjà et n'est pas vide",
            hint="choisissez un nouveau dossier : « ateliers init ma-consultation »",
        )
    start = today()
    values = {
        "id": slugify(options.titre),
        "titre": options.titre,
        "collectivite": options.collectivite,
        "conseil": options.conseil,
        "debut": start.isoformat(),
        "fin": (start + timedelta(days=60)).isoformat(),
    }
    skeleton = resources.files("ateliers_cli") / "skeleton"
    tmp = target.with_name(f".{target.name}.init-tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        _copy(skeleton, tmp, values)
        (tmp / "gitignore").rename(tmp / ".gitignore")
        (tmp / "prive").mkdir()
        write_schemas(tmp / "schemas")
        if target.exists():
            target.rmdir()
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if options.git:
        _first_commit(target, options.titre)
    return sorted(p for p in target.rglob("*") if p.is_file() and ".git" not in p.parts)


def _first_commit(target: Path, titre: str) -> None:
    """``git init`` and a first commit of everything init wrote (``prive/`` is ignored)."""
    steps = (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", f"Nouvelle consultation : {titre}\n\nDossier créé par « ateliers init »."],
    )
    for args in steps:
        try:
            subprocess.run(["git", "-C", str(target), *args], check=True, capture_output=True, text=True)
        except OSError:
            raise AteliersError(
                "la consultation est créée, mais git est introuvable",
                hint='installez git, puis lancez dans le dossier : git init && git add -A && git commit -m "Nouvelle '
                'consultation"',
            ) from None
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()
            identity = "user.email" in (exc.stderr or "") or "user.name" in (exc.stderr or "")
            raise AteliersError(
                f"la consultation est créée, mais « git {args[0]} » a échoué" + (f" : {detail[-1]}" if detail else ""),
                hint=(
                    'git ne sait pas encore qui vous êtes : git config --global user.name "Prénom Nom" ; '
                    'git config --global user.email vous@exemple.fr ; puis, dans le dossier : git add -A && git commit '
                    '-m "Nouvelle consultation"'
                    if identity
                    else 'corrigez le problème git, puis, dans le dossier : git add -A && git commit -m "Nouvelle '
                    'consultation"'
                ),
            ) from None


def _copy(src: resources.abc.Traversable, dst: Path, values: dict[str, str]) -> None:
    for entry in src.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            (dst / entry.name).mkdir()
            _copy(entry, dst / entry.name, values)
        else:
            text = entry.read_text(encoding="utf-8")
            if entry.name.endswith(".yaml"):  # quoted, so a title with « : » stays valid YAML
                quoted = {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}
                text = string.Template(text).safe_substitute(quoted)
            elif entry.name.endswith(".md"):
                text = string.Template(text).safe_substitute(values)
            (dst / entry.name).write_text(text, encoding="utf-8")
