"""The public static website of a consultation (``ateliers site``).

    files = plan_site(c)              # every page, by path: pure
    write_site(files, Path("site"))   # built beside, then swapped in
    build_site(loaded, out)           # both, refusing a consultation with errors

Modules: :mod:`.public` (what each stage may publish), :mod:`.pages` (one method per
page kind), :mod:`.documents` (the stage documents as pages), :mod:`.build` (planning,
the worker pool for contribution pages, the atomic swap). Templates: ``templates/site/``.
"""

from ateliers_cli.site.build import MARKER, SiteResult, build_site, plan_site, write_site

__all__ = ["MARKER", "SiteResult", "build_site", "plan_site", "write_site"]
