"""Each post's "Reproduce this post" download: made from the engine's plan, put on the page.

Built once the articles are read (``article_generator_finalized``: every store is
written by then, and the page template needs the archive's size), written beside
the post's page once the articles are written (``article_writer_finalized``), so a
staged build publishes it with everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.config import SamplesConfig
from sandbox.lab import Lab, find_lab

from .archive import Entry, tar_gz, zip_bytes
from .manifest import Manifest, build_manifest

VERIFY_SCRIPT = Path(__file__).with_name("verify.py")
SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"  # shipped whole beside verify.py
GUIDE = """\
Reproduce "{title}"

  python3 verify.py            build the post's lab once, replay every run in it and compare
                               (exit 0: all match)
  python3 verify.py --post-line N   one sample only, after replaying its session up to it
  python3 verify.py --json report.json   also write a machine-readable report
  python3 verify.py --host     replay on this machine instead (its versions may differ);
                               --host --venv first creates .venv with requirements.txt

Needs Linux with user namespaces, Python 3.9 or later, and mmdebstrap, uidmap and
mount (apt-get install mmdebstrap uidmap mount); as a user other than root, a
range of subordinate ids in /etc/subuid (useradd gives one). The lab (manifest.json,
"lab") is built from Debian's mirror into ~/.cache/code-that-runs/labs (root:
/var/cache/code-that-runs/labs). files/ is the post's folder as its runs see it, at
/tmp/sample/work; manifest.json holds every run: command or block, expected exit
status, masks, timeout and the output the page shows, and the limits every session
had; sandbox/ is the blog's own session code (standard library only), which verify.py
uses. With --host, debian-packages.txt says what this machine needs.
"""


@dataclass(frozen=True)
class ReproduceDownload:
    """What the page says about a post's archive, and where its bytes are: files in the
    build's cache folder, read when the archive is written (a site of 1,000 posts does not
    hold 1,000 archives in memory), or the bytes themselves when there is no cache folder."""

    slug: str
    manifest: Manifest
    sources: tuple[Path | bytes, Path | bytes]  # (tar.gz, zip)
    sizes: tuple[int, int]

    @property
    def tar_name(self) -> str:
        return f"{self.slug}-reproduce.tar.gz"

    @property
    def zip_name(self) -> str:
        return f"{self.slug}-reproduce.zip"

    @property
    def tar_size(self) -> str:
        return human_size(self.sizes[0])

    @property
    def zip_size(self) -> str:
        return human_size(self.sizes[1])

    def archives(self) -> list[tuple[str, bytes]]:
        """(file name, bytes) of the two archives; OSError if a cached file has gone."""
        return [(name, source if isinstance(source, bytes) else source.read_bytes())
                for name, source in zip((self.tar_name, self.zip_name), self.sources)]


def human_size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KiB"


def archive_entries(post_dir: Path, names: list[str], manifest: Manifest, title: str) -> list[Entry]:
    """What the archive holds: the replay, its description, and ``names`` from the post's
    folder under files/ (a symlink inside the folder is shipped as the file it names)."""
    entries = [
        Entry("verify.py", _verify_script(), executable=True),
        *_sandbox_entries(),
        Entry("manifest.json", (json.dumps(manifest.data, indent=2, ensure_ascii=False)
                                + "\n").encode()),
        Entry("requirements.txt", manifest.requirements_text().encode()),
        Entry("debian-packages.txt", manifest.debian_text().encode()),
        Entry("README.txt", GUIDE.format(title=title).encode()),
    ]
    for name in names:
        path = post_dir / name
        entries.append(Entry(f"files/{name}", path.read_bytes(),
                             executable=bool(path.stat().st_mode & 0o111)))
    return entries


@cache
def _verify_script() -> bytes:
    return VERIFY_SCRIPT.read_bytes()


@cache
def _sandbox_entries() -> tuple[Entry, ...]:
    """The sandbox package, as verify.py imports it: every module, nothing compiled."""
    return tuple(Entry(f"sandbox/{path.name}", path.read_bytes())
                 for path in sorted(SANDBOX.glob("*.py")))


def packed(top: str, entries: list[Entry], cache_folder: Path | None
           ) -> tuple[tuple[Path | bytes, Path | bytes], tuple[int, int]]:
    """(tar.gz, zip) of ``entries`` and their sizes.  Compressing is most of the cost, so
    the archives are kept in Pelican's cache folder under the digest of what goes in, reused
    while it holds, and given as paths there; without a cache folder (or a writable one),
    as bytes."""
    digest = hashlib.sha256(top.encode())
    for entry in sorted(entries, key=lambda e: e.path):
        digest.update(f"\0{entry.path}\0{entry.mode}\0{len(entry.data)}\0".encode() + entry.data)
    if cache_folder is None:
        made = tar_gz(top, entries), zip_bytes(top, entries)
        return made, (len(made[0]), len(made[1]))
    cached = [cache_folder / f"{top}.{digest.hexdigest()[:32]}.{kind}" for kind in ("tar.gz", "zip")]
    if all(path.is_file() for path in cached):
        return (cached[0], cached[1]), (cached[0].stat().st_size, cached[1].stat().st_size)
    made = tar_gz(top, entries), zip_bytes(top, entries)
    try:
        cache_folder.mkdir(parents=True, exist_ok=True)
        for old in cache_folder.glob(f"{top}.*"):
            old.unlink(missing_ok=True)
        for path, data in zip(cached, made):
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_bytes(data)
            temporary.replace(path)  # a concurrent build never reads half an archive
    except OSError:
        return made, (len(made[0]), len(made[1]))  # a read-only cache costs memory, never the build
    return (cached[0], cached[1]), (len(made[0]), len(made[1]))


# What each built lab's packages weigh, by its folder and that folder's mtime: every post of
# a lab asks, and summing the .deb files once per post was 8 % of a build of 1,000 posts.
_LAB_WEIGHTS: dict[tuple[str, int], int] = {}


def lab_download_bytes(lab: Lab, labs: Path) -> int:
    """What the lab's packages weigh, when it is built here (verify.py says it first)."""
    built = find_lab(lab, labs)
    if built is None:
        return 0
    key = (str(built.folder), built.folder.stat().st_mtime_ns)
    if key not in _LAB_WEIGHTS:
        _LAB_WEIGHTS[key] = built.download_bytes()
    return _LAB_WEIGHTS[key]


def attach_downloads(generator) -> None:
    """Give every post with runs its ``reproduce`` download (templates show it), from the
    parse and records the samples reader left on the article."""
    config, cache_folder = SamplesConfig.from_settings(generator.settings), \
        _cache_folder(generator.settings)
    for article in _posts(generator):
        if getattr(article, "sample_post", None) is None or \
                getattr(article, "reproduce", None) is not None:
            continue  # a post the live loop kept from the last build has its download
        article.reproduce = _download(article, config, cache_folder)


def _cache_folder(settings) -> Path | None:
    cache_path = settings.get("CACHE_PATH")
    return Path(cache_path) / "reproduce" if cache_path else None


def _download(article, config: SamplesConfig, cache_folder: Path | None) -> ReproduceDownload | None:
    """The post's download, packed (or found in the cache); None for a post without runs."""
    post = article.sample_post
    slug, title = post.post_dir.name, article.title
    manifest = build_manifest(post, article.sample_records, slug, title, config.sandbox_settings,
                              lab_download_bytes(post.lab, config.lab_cache))
    if manifest is None:
        return None
    entries = archive_entries(post.post_dir, article.sample_files, manifest, title)
    return ReproduceDownload(slug, manifest, *packed(f"{slug}-reproduce", entries, cache_folder))


def write_downloads(generator, writer=None) -> None:
    """Write each archive beside its post's page: through the build's ``write_bytes``
    when its writer has one (sitebuild's: an unchanged archive is kept, not written again),
    else into the output folder (a plain Pelican run)."""
    output = Path(generator.output_path)
    write_bytes = getattr(writer, "write_bytes", None)
    for article in _posts(generator):
        download = getattr(article, "reproduce", None)
        if download is None:
            continue
        folder = Path(article.save_as).parent
        try:
            archives = download.archives()
        except OSError:  # a concurrent build replaced the cached archive: pack it again
            download = article.reproduce = _download(
                article, SamplesConfig.from_settings(generator.settings), None)
            archives = download.archives()
        for name, data in archives:
            if write_bytes is not None:
                write_bytes((folder / name).as_posix(), data)
            else:
                (output / folder).mkdir(parents=True, exist_ok=True)
                (output / folder / name).write_bytes(data)


def _posts(generator) -> list:
    """Published, hidden and draft articles: each has a page its archive sits beside."""
    return [article for kind in ("articles", "hidden_articles", "drafts")
            for article in getattr(generator, kind, [])]
