"""Build shim: ship the top-level ``templates/`` inside the package, as ``ateliers_cli/_templates``.

Everything else is in pyproject.toml. The default document templates live at the top of the
repository (they are data a user may copy and adapt); at build time they are copied into the
wheel so that an installed ``ateliers`` finds them (see
``ateliers_cli.documents.templating.default_templates_dir``). An editable install reads them
from the checkout directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TEMPLATE_SUFFIXES = (".j2", ".css", ".md")


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        source = ROOT / "templates"
        if not source.is_dir() or self.editable_mode:
            return
        target = Path(self.build_lib) / "ateliers_cli" / "_templates"
        if target.exists():
            shutil.rmtree(target)
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.name.endswith(TEMPLATE_SUFFIXES):
                dest = target / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)


setup(cmdclass={"build_py": BuildPyWithTemplates})
