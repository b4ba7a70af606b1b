"""Synthetic sites for the benchmarks: N posts of about 600 words, each with two
includes (a region and a line range) and one run of a tiny Python sample.

Every post's folder holds the same ``sample.py``, so every post's run has the same
freeze key: the harness executes one post for real through the engine, and the
other posts reuse that recorded result.  Builds then run with execution off, which
refuses any result whose key does not match: the frozen site is checked, not assumed.
The vanilla twin of a site is the same Markdown with each sample fence replaced by
plain fenced code holding exactly the text our build shows (from the same parser).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from engine.config import SamplesConfig
from engine.files import read_included
from engine.pipeline import build_post, load_post, plan_for, write_store
from engine.select import select_snippet
from samples.settings import load_config

ROOT = Path(__file__).resolve().parents[1]
TAG_POOL = [f"topic-{number:02d}" for number in range(30)]
WORDS = ("the build reads every post renders each sample once and keeps the frozen output "
         "beside it so a reader sees what the command printed when it ran last time here "
         "python shell process output file line region cache page tag site theme author "
         "edit loop test suite worker session store key hash markdown html fence code").split()
SAMPLE = '''"""A tiny sample: the sum of the first squares."""

import sys
import time


# ANCHOR: compute
def compute(limit):
    return sum(number * number for number in range(limit))
# ANCHOR_END: compute


if __name__ == "__main__":
    limit = {limit}
    time.sleep({pause})  # 0 for the build benchmarks; > 0 stands in for a sample that waits
    print(f"sum of squares below {{limit}}: {{compute(limit)}}", file=sys.stdout)
'''
RUN_COMMAND = "python sample.py"


def sample_source(limit: int = 10, pause: float = 0) -> str:
    """The text of sample.py; the edit loop changes ``limit`` in one post."""
    return SAMPLE.format(limit=limit, pause=pause)


def _prose(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 16)
        sentence = " ".join(rng.choice(WORDS) for _ in range(length))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        count += length
    return " ".join(sentences)


def post_markdown(number: int, rng: random.Random) -> str:
    """One post: header, lead, ~600 words of prose around three sample fences."""
    tags = ", ".join(rng.sample(TAG_POOL, 3))
    day = f"20{20 + number // 365 % 10}-{number // 28 % 12 + 1:02d}-{number % 28 + 1:02d}"
    paragraphs = [_prose(rng, 75) for _ in range(8)]
    return f"""Title: Synthetic post {number:04d}
Date: {day} 10:{number % 60:02d}
Tags: {tags}

{paragraphs[0]}

<!-- more -->

{paragraphs[1]}

{paragraphs[2]}

```python {{file="sample.py" region="compute"}}
```

{paragraphs[3]}

{paragraphs[4]}

```python {{file="sample.py" lines="1-3"}}
```

{paragraphs[5]}

```console {{run="{RUN_COMMAND}"}}
```

{paragraphs[6]}

{paragraphs[7]}
"""


SETTINGS = """\
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa
PATH = "content"
THEME = {theme!r}
PLUGIN_PATHS = [{plugins!r}]
SAMPLES_PROGRESS = "off"
"""


def write_settings(root: Path) -> Path:
    """``root/settings.py``: the project's settings pointed at the synthetic site (what the
    engine, pytest and the builds of the benchmark all read)."""
    path = root / "settings.py"
    path.write_text(SETTINGS.format(root=str(ROOT), theme=str(ROOT / "theme"),
                                    plugins=str(ROOT / "plugins")))
    return path


def engine_settings(root: Path) -> SamplesConfig:
    """The project's one configuration, pointed at the synthetic site under ``root``."""
    return load_config(write_settings(root))


def generate(root: Path, posts: int, seed: int = 11, pause: float = 0) -> Path:
    """Write a frozen synthetic site under ``root`` (content/, requirements.txt); return root.

    Post 0 is rendered by the engine with execution on (one real run); its store is
    then copied to every other post, whose key is the same.
    """
    rng = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "pages").mkdir(parents=True)
    (root / "content" / "pages" / "about.md").write_text("Title: About\n\nA synthetic site.\n")
    shutil.copy(ROOT / "requirements.txt", root / "requirements.txt")
    folders = []
    for number in range(posts):
        folder = root / "content" / "posts" / f"post-{number:04d}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(post_markdown(number, rng), encoding="utf-8")
        (folder / "sample.py").write_text(sample_source(pause=pause), encoding="utf-8")
        folders.append(folder)
    settings = engine_settings(root)
    write_store(build_post(folders[0] / "index.md", settings))
    store = folders[0] / settings.store_name
    for folder in folders[1:]:
        shutil.copy(store, folder / settings.store_name)
    return root


def vanilla_twin(site: Path, twin: Path) -> Path:
    """Copy ``site`` to ``twin`` with every sample fence replaced by plain fenced code."""
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(site, twin)
    settings = engine_settings(site)
    for source in sorted((site / "content" / "posts").glob("*/index.md")):
        text = source.read_text(encoding="utf-8")
        post = load_post(source, settings, text)
        plan = plan_for(post, settings)
        lines = text.split("\n")
        for sample in sorted(post.samples, key=lambda s: s.line, reverse=True):
            if not sample.executes:
                snippet = select_snippet(sample, read_included(sample, post.post_dir))
                fence = ["```" + sample.lang, snippet.text]
            else:
                frozen = plan.record_for(sample)
                shown = f"$ {sample.command}\n" if sample.kind == "run" else sample.body
                fence = ["```" + ("console" if sample.kind == "run" else sample.lang),
                         shown.rstrip("\n"), frozen.output.rstrip("\n")]
            lines[sample.line - 1: sample.end_line] = [*fence, "```"]
        target = twin / source.relative_to(site)
        target.write_text("\n".join(lines), encoding="utf-8")
        (target.parent / settings.store_name).unlink()
    return twin
