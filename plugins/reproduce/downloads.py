"""Each post's "Reproduce this post" download: made from the engine's plan, put on the page.

Built once the articles are read (``article_generator_finalized``: every store is
written by then, and the page template needs the archive's size), written beside
the post's page once the articles are written (``article_writer_finalized``), so a
staged build publishes it with everything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from samples.config import SamplesConfig
from samples.errors import SampleError, SampleErrors
from samples.keys import Environment, post_files
from samples.pipeline import load_post, plan_for

from .archive import Entry, tar_gz, zip_bytes
from .manifest import Manifest, build_manifest

VERIFY_SCRIPT = Path(__file__).with_name("verify.py")
GUIDE = """\
Reproduce "{title}"

  python3 verify.py            replay every run of the post here and compare (exit 0: all match)
  python3 verify.py --venv     first create .venv with requirements.txt (pip needs the network)
  python3 verify.py --post-line N   one sample only, after replaying its session up to it
  python3 verify.py --json report.json   also write a machine-readable report

Needs Python 3.9 or later and the tools in debian-packages.txt (checked first: exit 2
with the apt-get line when one is missing). files/ is the post's folder as its runs
see it; manifest.json holds every run: command or block, expected exit status,
masks, timeout and the output the page shows.
"""


@dataclass(frozen=True)
class ReproduceDownload:
    """What the page says about a post's archive, and the archive's bytes."""

    slug: str
    manifest: Manifest
    tar: bytes
    zip: bytes

    @property
    def tar_name(self) -> str:
        return f"{self.slug}-reproduce.tar.gz"

    @property
    def zip_name(self) -> str:
        return f"{self.slug}-reproduce.zip"

    @property
    def tar_size(self) -> str:
        return human_size(len(self.tar))

    @property
    def zip_size(self) -> str:
        return human_size(len(self.zip))


def human_size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KiB"


def reproduce_download(source: Path, config: SamplesConfig, slug: str, title: str,
                       pins: dict[str, str]) -> ReproduceDownload | None:
    """The download of the post at ``source``; None when it has no runs or a session has
    no records (the build has reported that already)."""
    try:
        plan = plan_for(load_post(source, config), config)
    except (SampleError, SampleErrors):
        return None
    if not plan.sessions or plan.stale:
        return None
    manifest = build_manifest(plan, slug, title, config.debian_listing, pins)
    entries = [
        Entry("verify.py", VERIFY_SCRIPT.read_bytes(), executable=True),
        Entry("manifest.json", (json.dumps(manifest.data, indent=2, ensure_ascii=False)
                                + "\n").encode()),
        Entry("requirements.txt", manifest.requirements_text().encode()),
        Entry("debian-packages.txt", manifest.debian_text().encode()),
        Entry("README.txt", GUIDE.format(title=title).encode()),
    ]
    for path in post_files(source.parent, config.excluded(source)):
        if path.is_file():  # a symlink inside the folder is shipped as the file it names
            entries.append(Entry("files/" + path.relative_to(source.parent).as_posix(),
                                 path.read_bytes(), executable=bool(path.stat().st_mode & 0o111)))
    top = f"{slug}-reproduce"
    return ReproduceDownload(slug, manifest, tar_gz(top, entries), zip_bytes(top, entries))


def attach_downloads(generator) -> None:
    """Give every post with runs its ``reproduce`` download (templates show it)."""
    config = SamplesConfig.from_settings(generator.settings)
    pins = Environment.current(config.lock_files).pins
    for article in [*generator.articles, *generator.drafts]:
        source = Path(article.source_path)
        if config.is_post(source):
            article.reproduce = reproduce_download(source, config, source.parent.name,
                                                   article.title, pins)


def write_downloads(generator, writer=None) -> None:
    """Write each archive beside its post's page."""
    output = Path(generator.output_path)
    for article in [*generator.articles, *generator.drafts]:
        download = getattr(article, "reproduce", None)
        if download is None:
            continue
        folder = output / Path(article.save_as).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / download.tar_name).write_bytes(download.tar)
        (folder / download.zip_name).write_bytes(download.zip)
