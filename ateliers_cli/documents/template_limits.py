"""How much work a template may ask for: the sandbox keeps templates from Python's internals,
these bounds keep them from the memory and the processor.

A consultation's templates are written by whoever edits the folder. Jinja's sandbox forbids
reaching Python internals, but not ``{% for i in range(100000) %}{% for j in range(100000) %}``
(ten billion turns), ``"%0999999999d" % 1`` (a gigabyte of zeros) or ``lipsum(n=2000000)``.
Each is bounded here, and refused with a French message naming the template and the line:

* every ``{% for %}`` of a render counts its turns (rewritten at compile time, see
  :class:`CountLoops`); past :data:`MAX_LOOP_TURNS`, the render stops;
* one operation (``*``, ``+``, ``~``, ``%``, ``format``, ``center``, ``ljust``, ``replace``,
  ``join``…) may not make a text longer than :data:`MAX_TEXT`;
* a document may not be longer than :data:`MAX_OUTPUT`.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import safe_range
from jinja2.visitor import NodeTransformer

from ateliers_cli.render.french import nombre

#: Turns of all the loops of one render (one document, one page). A report of 100 000
#: contributions loops over them a few times; a loop in a loop of them is refused.
MAX_LOOP_TURNS = 20_000_000
#: Characters one operation may produce.
MAX_TEXT = 1_000_000
#: Characters of one rendered document.
MAX_OUTPUT = 200_000_000

COUNT_FILTER = "_tours_de_boucle"
TEXT_FILTER = "_texte_borne"

class TooMuchWork(SecurityError):
    """A template asked for more work than a document needs."""


_TURNS: ContextVar[list[int] | None] = ContextVar("ateliers_template_turns", default=None)


def start_render() -> Any:
    """A fresh budget of loop turns for one render; give the token back to :func:`end_render`."""
    return _TURNS.set([0])


def end_render(token: Any) -> None:
    _TURNS.reset(token)


def _spend(turns: int) -> None:
    budget = _TURNS.get()
    if budget is None:
        return
    budget[0] += turns
    if budget[0] > MAX_LOOP_TURNS:
        raise TooMuchWork(
            f"trop de tours de boucle (plus de {nombre(MAX_LOOP_TURNS)} pour un seul document) : une boucle dans une "
            "boucle ?"
        )


def count_turns(iterable: Iterable[Any]) -> Iterator[Any]:
    """The items of a ``{% for %}``, each one counted."""
    for item in iterable:
        _spend(1)
        yield item


def bounded_range(*args: int) -> range:
    """``range`` as the sandbox allows it (100 000 values), its values counted as turns."""
    r = safe_range(*args)
    _spend(len(r))
    return r


def check_length(value: Any) -> Any:
    """A text or a list made by a template (``a ~ b``): refused past :data:`MAX_TEXT`."""
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise TooMuchWork(f"texte trop long ({nombre(len(value))} caractères ; au plus {nombre(MAX_TEXT)})")
    return value


def _refuse(what: str) -> TooMuchWork:
    return TooMuchWork(f"{what} : le résultat dépasserait {nombre(MAX_TEXT)} caractères")


class CountLoops(NodeTransformer):
    """Compile-time rewriting: ``for x in ITER`` becomes ``for x in ITER|_tours_de_boucle``, and
    ``a ~ b`` becomes ``(a ~ b)|_texte_borne``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, COUNT_FILTER, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, TEXT_FILTER, [], [], None, None, lineno=node.lineno)


# --- one operation ---------------------------------------------------------------------------

#: ``%-08.3d``: flags, width, precision of a printf-style conversion.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
#: ``{0:>{1}}``, ``{:0999999999d}``: a replacement field's format specification.
_FIELD_SPEC = re.compile(r"\{[^{}]*?:([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_DIGITS = re.compile(r"\d+")


def check_percent(template: Any, values: Any) -> None:
    """``"%0999999999d" % 1``: a width or a precision too large, or given by ``*``."""
    if not isinstance(template, str):
        return
    for m in _PERCENT.finditer(template):
        for group in m.groups():
            if group == "*" or (group and int(group) > MAX_TEXT):
                raise _refuse(f"format « {m.group()} »")
    if len(template) > MAX_TEXT:
        raise _refuse("format")


def check_format_string(template: str) -> None:
    """``"{:0999999999d}".format(1)`` or a width taken from an argument."""
    for m in _FIELD_SPEC.finditer(template):
        spec = m.group(1)
        if "{" in spec:
            raise _refuse(f"format « {m.group()} » (largeur donnée par un argument)")
        if any(int(d) > MAX_TEXT for d in _DIGITS.findall(spec)):
            raise _refuse(f"format « {m.group()} »")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def check_str_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """``"x".ljust(10**9)``, ``s.replace("", s)``, ``sep.join(…)``: refused before they run.

    Returns the arguments to call with (what ``join`` is given is read once, here)."""
    target = getattr(method, "__wrapped__", method)  # str.format, wrapped by the sandbox
    owner = getattr(target, "__self__", None)
    if not isinstance(owner, str) or not isinstance(target, (types.BuiltinMethodType, types.MethodType)):
        return args
    name = target.__name__
    if name == "join" and len(args) == 1:
        items = list(args[0])
        if len(owner) * len(items) + sum(len(i) for i in items if isinstance(i, str)) > MAX_TEXT:
            raise _refuse("join")
        return (items,)
    if name in ("ljust", "rjust", "center", "zfill") and args and _int(args[0]) > MAX_TEXT:
        raise _refuse(f"{name}({args[0]})")
    if name == "expandtabs":
        size = _int(args[0] if args else kwargs.get("tabsize", 8))
        if size * owner.count("\t") + len(owner) > MAX_TEXT:
            raise _refuse("expandtabs")
    if name == "replace" and len(args) >= 2:
        check_replace(owner, args[0], args[1])
    if name in ("format", "format_map"):
        check_format_string(owner)
    return args


def check_replace(text: Any, old: Any, new: Any) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    times = text.count(old) if old else len(text) + 1
    if len(text) + times * max(len(new) - len(old), 0) > MAX_TEXT:
        raise _refuse("replace")


def check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                raise TooMuchWork(f"répétition trop grande ({nombre(len(seq))} × {nombre(n)})")
    elif operator == "+":
        if (
            isinstance(left, (str, list, tuple))
            and isinstance(right, (str, list, tuple))
            and len(left) + len(right) > MAX_TEXT
        ):
            raise _refuse("addition")
    elif operator == "%":
        check_percent(left, right)


# --- filters and globals of Jinja that make text -----------------------------------------------


def bounded_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's own ``center``, ``indent``, ``format``, ``replace``, and ``join``, bounded."""
    center, indent, fmt, replace, join = (filters[n] for n in ("center", "indent", "format", "replace", "join"))

    def _center(value: Any, width: int = 80) -> Any:
        if _int(width) > MAX_TEXT:
            raise _refuse(f"center({width})")
        return center(value, width)

    def _indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        prefix = len(width) if isinstance(width, str) else _int(width)
        if prefix * (str(value).count("\n") + 1) + len(str(value)) > MAX_TEXT:
            raise _refuse("indent")
        return indent(value, width, *args, **kwargs)

    def _format(value: Any, *args: Any, **kwargs: Any) -> Any:
        check_percent(str(value), args or kwargs)
        return fmt(value, *args, **kwargs)

    def _replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        check_replace(str(value), str(old), str(new))
        return replace(eval_ctx, value, old, new, count)

    def _join(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> Any:
        items = list(value)
        if len(str(d)) * len(items) > MAX_TEXT:
            raise _refuse("join")
        return join(eval_ctx, items, d, attribute)

    for wrapper, original in ((_replace, replace), (_join, join)):
        wrapper.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined,union-attr]  # the evaluation context, as Jinja marks it
    return {"center": _center, "indent": _indent, "format": _format, "replace": _replace, "join": _join}


def bounded_lipsum(original: Callable[..., str]) -> Callable[..., str]:
    def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        if _int(n) * _int(max) > 100_000:
            raise TooMuchWork(f"lipsum trop long ({nombre(_int(n))} paragraphes de {nombre(_int(max))} mots au plus)")
        return original(n, html, min, max)

    return lipsum


def join_output(chunks: Iterable[str]) -> str:
    """A rendered document, refused once longer than :data:`MAX_OUTPUT`."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise TooMuchWork(f"document démesuré (plus de {nombre(MAX_OUTPUT)} caractères)")
        parts.append(chunk)
    return "".join(parts)
