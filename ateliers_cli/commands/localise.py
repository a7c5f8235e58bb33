"""Typer's own words (usage errors, help panels) in French.

Typer formats usage errors and help panels itself, in English. Our users are
French public servants: these few strings are replaced once, at import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
from types import ModuleType
from typing import Any

from rich.markup import escape
from typer import _click
from typer.core import TyperOption


def _patch_rich_utils(ru: ModuleType) -> None:
    """Typer imports its help formatter only when it prints help or an error: patch it then."""
    for name, french_text in {
        "ARGUMENTS_PANEL_TITLE": "Arguments",
        "OPTIONS_PANEL_TITLE": "Options",
        "COMMANDS_PANEL_TITLE": "Commandes",
        "ERRORS_PANEL_TITLE": "Erreur d'usage",
        "DEFAULT_STRING": "[par défaut : {}]",
        "REQUIRED_LONG_STRING": "[obligatoire]",
        "ENVVAR_STRING": "[variable d'environnement : {}]",
        "DEPRECATED_STRING": "(obsolète) ",
        "ABORTED_TEXT": "Abandon.",
    }.items():
        setattr(ru, name, french_text)


_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No such option: (\S+)(?: \(Possible options: (.*)\))?$"), "option inconnue : {0}"),
    (re.compile(r"^No such command '(.+)'\.(?: Did you mean (.+)\?)?$"), "commande inconnue : « {0} »"),
    (re.compile(r"^Missing argument '(.+)'\.$"), "argument manquant : {0}"),
    (re.compile(r"^Missing option '(.+)'\.$"), "option obligatoire manquante : {0}"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "l'option {0} attend une valeur"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "argument en trop : {0}"),
    (
        re.compile(r"^Invalid value for '?([^':]+)'?: (?:Value error, )?'(.*)' is not one of (.*)\.$"),
        "valeur invalide pour {0} : « {1} » ; valeurs possibles : {2}",
    ),
    (
        re.compile(r"^Invalid value for '?([^':]+)'?: '(.*)' is not a valid integer\.$"),
        "valeur invalide pour {0} : « {1} » n'est pas un nombre entier",
    ),
    (
        re.compile(r"^Invalid value for '?([^':]+)'?(?: / '[^']+')?: Input should be a valid integer.*$"),
        "valeur invalide pour {0} : ce n'est pas un nombre entier",
    ),
    (
        re.compile(r"^Invalid value for '?([^':]+)'?(?: / '[^']+')?: Input should be a valid number.*$"),
        "valeur invalide pour {0} : ce n'est pas un nombre",
    ),
    (
        re.compile(r"^Invalid value for '?([^':]+)'?: (?:Path|File|Directory) '(.*)' does not exist\.$"),
        "valeur invalide pour {0} : « {1} » n'existe pas",
    ),
    (re.compile(r"^Invalid value for '?([^':]+)'?: (.*)$"), "valeur invalide pour {0} : {1}"),
]


_FLAG_VALUES = {"true", "false", "oui", "non", "yes", "no", "1", "0", "vrai", "faux"}


def translate(message: str) -> str:
    m = re.match(r"^No such command '(.+)'\.", message)
    if m and m.group(1).lower() in _FLAG_VALUES:  # « ateliers --silencieux true status »
        return (
            f"commande inconnue : « {m.group(1)} » ; une option comme --silencieux ou --dry-run s'écrit seule, sans "
            "valeur (« ateliers --silencieux status »)"
        )
    for rx, french in _MESSAGES:
        m = rx.match(message)
        if m:
            extra = ""
            if (
                m.lastindex
                and m.lastindex >= 2
                and m.group(2)
                and ("Possible options" in message or "Did you mean" in message)
            ):
                extra = f" ; vouliez-vous dire {m.group(2).replace(chr(39), '')} ?"
            return french.format(*m.groups()) + extra
    return message


def _format_error(self: _click.ClickException) -> None:
    if self.__class__.__name__ == "NoArgsIsHelpError":
        return
    from typer.rich_utils import _get_rich_console

    console = _get_rich_console(stderr=True)
    ctx: Any = getattr(self, "ctx", None)
    console.print(f"[bold red]Erreur d'usage[/bold red] : {escape(translate(self.format_message()))}", soft_wrap=True)
    if ctx is not None:
        console.print(f"    [dim]→ aide : {escape(ctx.command_path)} --help[/dim]", soft_wrap=True)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "typer.rich_utils":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            _patch_rich_utils(module)
            module.rich_format_error = _format_error  # type: ignore[attr-defined]

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if "typer.rich_utils" in sys.modules:
    _patch_rich_utils(sys.modules["typer.rich_utils"])
    sys.modules["typer.rich_utils"].rich_format_error = _format_error  # type: ignore[attr-defined]
else:
    sys.meta_path.insert(0, _PatchOnImport())

_original_help_option = _click.core.Command.get_help_option


def _help_option(self: Any, ctx: Any) -> Any:
    option = _original_help_option(self, ctx)
    if option is not None:
        option.help = "Affiche cette aide et quitte."
    return option


_click.core.Command.get_help_option = _help_option  # type: ignore[method-assign]


def _display_type_rich(self: Any, ctx: Any) -> Any:
    # A flag (« --dry-run ») or a counter (« -v ») takes no value: no « <bool> » beside it, or a
    # reader would type « --silencieux true ».
    if getattr(self, "is_flag", False) or getattr(self, "count", False):
        return None
    return _original_display_type_rich(self, ctx)


_original_display_type_rich = TyperOption.display_type_rich
TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
