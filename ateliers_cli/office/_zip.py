"""Réécriture déterministe d'une archive zip (ODT, DOCX) : mêmes octets pour le même contenu."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable


def rezip(
    data: bytes,
    date_time: tuple[int, int, int, int, int, int],
    *,
    first: Iterable[str] = (),
    stored: Iterable[str] = (),
    drop: Iterable[str] = (),
    transform: Callable[[str, bytes], bytes] | None = None,
) -> bytes:
    """Réécrit `data` : horodatage fixe, droits fixes, ordre stable (les noms de `first` d'abord,
    dans cet ordre, puis les autres dans l'ordre d'origine), `stored` sans compression (le
    « mimetype » d'un ODT), entrées de `drop` retirées, contenu passé par `transform`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [i.filename for i in src.infolist()]
    first = [n for n in first if n in names]
    order = first + [n for n in names if n not in first]
    stored_set, drop_set = set(stored), set(drop)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            if name in drop_set:
                continue
            content = src.read(name)
            if transform is not None:
                content = transform(name, content)
            info = zipfile.ZipInfo(name, date_time)
            info.create_system = 3  # Unix, quelle que soit la machine
            info.external_attr = 0o100644 << 16
            if name in stored_set:
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, content, compresslevel=9)
    return out.getvalue()
