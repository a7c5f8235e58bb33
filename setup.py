"""Build shim: ship the top-level ``templates/`` and ``exemple_consultation/`` inside the package.

They become ``ateliers_cli/_templates`` and ``ateliers_cli/_exemple`` in the wheel.

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
#: top-level folder -> where it goes inside the package
SHIPPED = {"templates": "_templates", "exemple_consultation": "_exemple"}


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder, inside in SHIPPED.items():
            source = ROOT / folder
            if not source.is_dir():
                continue
            target = Path(self.build_lib) / "ateliers_cli" / inside
            if target.exists():
                shutil.rmtree(target)
            for path in sorted(source.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    dest = target / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)


setup(cmdclass={"build_py": BuildPyWithTemplates})
