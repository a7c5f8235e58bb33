"""The format reference of each file kind, written from the declarations that validate it.

``ateliers aide SUJET`` prints it: the reference travels with the tool (no document to look
for), and it cannot drift from what ``check`` accepts, since both read :mod:`ateliers_cli.schema`.
"""

from __future__ import annotations

from ateliers_cli.errors import UsageError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.schema import FILE_KINDS, F, Obj

#: Other names a facilitator may type for a file kind (the folder, the plural, the file name).
ALIASES = {
    "ateliers": "atelier",
    "contributions": "contribution",
    "restitutions": "restitution",
    "theme": "themes",
    "forum-lancement": "lancement",
    "forum-synthese": "synthese",
    "orientation": "orientations",
}

_TYPES = {
    "str": "texte",
    "text": "texte sur plusieurs lignes (Markdown ; « | » puis le texte à la ligne)",
    "int": "nombre entier",
    "number": "nombre",
    "bool": "true ou false",
    "date": "date AAAA-MM-JJ",
    "datetime": "date et heure AAAA-MM-JJTHH:MM",
}


def topics() -> list[tuple[str, str, str]]:
    """Each file kind: its name for ``aide``, its file names, what it holds."""
    return [(kind, pattern, obj.doc or obj.name) for kind, (obj, pattern) in FILE_KINDS.items()]


def resolve(topic: str) -> str:
    """The file kind meant by ``topic`` (a kind, an alias or a file name), or a usage error."""
    key = topic.strip().lower().removesuffix("/")
    if key in FILE_KINDS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    for kind, (_obj, pattern) in FILE_KINDS.items():
        folder, _, name = pattern.rpartition("/")
        if key == pattern or (name.startswith("*") and key.startswith(f"{folder}/") and key.endswith(name[1:])):
            return kind
    known = list(FILE_KINDS) + list(ALIASES)
    raise UsageError(
        f"sujet d'aide inconnu : « {topic} »",
        hint=did_you_mean(topic, known) or "sujets : " + ", ".join(FILE_KINDS),
    )


def reference(kind: str) -> str:
    """The reference of one file kind, as plain text: every key, its type, its rules."""
    obj, pattern = FILE_KINDS[kind]
    lines = [f"{pattern} — {obj.doc or obj.name}", ""]
    if kind == "contribution":
        lines += ["En-tête YAML entre deux lignes « --- », puis le texte de la contribution en Markdown.", ""]
    lines += _object_lines(obj, 0)
    lines += [
        "",
        "« obligatoire » : la clé doit être présente ; les autres peuvent être omises.",
        "Un exemple complet : les fichiers écrits par « ateliers init » (et l'exemple de « ateliers demo »).",
    ]
    from ateliers_cli.capture.layouts import KINDS, WITH_ID

    if kind in KINDS:
        example = {"atelier": " lille-1", "restitution": " lille"}.get(kind, "") if kind in WITH_ID else ""
        lines.append(
            f"Sans écrire de YAML : « ateliers saisie modele {kind}{example} » donne un tableur à remplir, « ateliers "
            "saisie import » en écrit le fichier."
        )
    return "\n".join(lines)


def _object_lines(obj: Obj, depth: int) -> list[str]:
    out: list[str] = []
    pad = "  " * depth
    for f in obj.fields:
        out.append(f"{pad}{f.name}{' (obligatoire)' if f.required else ''} : {_type(f)}")
        if f.doc:
            out.append(f"{pad}    {f.doc}")
        sub = _sub_object(f)
        if sub is not None:
            out += _object_lines(sub, depth + 2)
    return out


def _sub_object(f: F) -> Obj | None:
    if f.type == "object":
        return f.obj or f.map_of
    if f.type == "list" and f.items is not None and f.items.type == "object":
        return f.items.obj
    return None


def _type(f: F) -> str:
    if f.type == "list":
        assert f.items is not None
        if f.items.type == "object":
            assert f.items.obj is not None
            return f"liste de blocs ({f.items.obj.name}), chacun commençant par « - »"
        return f"liste [a, b] de {_scalar(f.items)}"
    if f.type == "object":
        if f.map_of is not None:
            return f"bloc : une clé par étape ({', '.join(_stage_keys())}), chacune avec :"
        return "bloc de clés :"
    return _scalar(f)


def _scalar(f: F) -> str:
    text = _TYPES.get(f.type, f.type)
    if f.enum:
        text += " parmi : " + ", ".join(f.enum)
    if f.pattern_hint:
        text += f" — {f.pattern_hint}"
    if f.minimum is not None:
        text += f" (au moins {f.minimum:g})"
    return text


def _stage_keys() -> list[str]:
    from ateliers_cli.stages import Stage

    return [s.value for s in Stage.process()]


def scalar_description(f: F) -> str:
    """What a value of ``f`` looks like, in French (« nombre entier (au moins 0) »)."""
    return _type(f)
