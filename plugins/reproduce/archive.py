"""Deterministic archives: the same entries give the same bytes, build after build.

Entries are sorted; every mtime is the same fixed date (1980-01-01, the earliest a
zip can hold), owners are root, modes are 0644 or 0755 (kept from the executable
bit only) and the gzip header carries neither a name nor a time.  So two builds
of an unchanged post publish byte-identical downloads, and a reader can compare
checksums.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from dataclasses import dataclass

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FIXED_MTIME = 315532800  # 1980-01-01T00:00:00Z, the same instant as FIXED_DATE


@dataclass(frozen=True)
class Entry:
    """One file of an archive, relative to its top folder."""

    path: str
    data: bytes
    executable: bool = False

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


def _tree(top: str, entries: list[Entry]) -> list[tuple[str, Entry | None]]:
    """Every folder (entry None) and file under ``top``, sorted by path, so both formats
    list the same tree in the same order."""
    items: dict[str, Entry | None] = {top: None}
    for entry in entries:
        parts = entry.path.split("/")
        items.update({f"{top}/" + "/".join(parts[:i]): None for i in range(1, len(parts))})
        items[f"{top}/{entry.path}"] = entry
    return sorted(items.items())


def tar_gz(top: str, entries: list[Entry]) -> bytes:
    """A .tar.gz whose members all live under ``top/``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, entry in _tree(top, entries):
            if entry is None:
                tar.addfile(_info(name, tarfile.DIRTYPE, 0o755, 0))
            else:
                tar.addfile(_info(name, tarfile.REGTYPE, entry.mode, len(entry.data)),
                            io.BytesIO(entry.data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def _info(name: str, kind: bytes, mode: int, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def zip_bytes(top: str, entries: list[Entry]) -> bytes:
    """A .zip with the same tree as :func:`tar_gz` (Unix modes kept in the external attributes)."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, mode="w") as archive:
        for name, entry in _tree(top, entries):
            if entry is None:
                info = _zip_info(name + "/", 0o40755)
                info.external_attr |= 0x10  # the MS-DOS folder flag, for tools that read only it
                archive.writestr(info, b"")
            else:
                info = _zip_info(name, 0o100000 | entry.mode)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entry.data, compresslevel=9)
    return packed.getvalue()


def _zip_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
    info.create_system = 3  # Unix, so the modes are read back
    info.external_attr = mode << 16
    return info
