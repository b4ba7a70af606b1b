"""From a post's file to rendered samples: parse → plan → execute → render, then store.

``plan`` decides, ``execute`` runs what is stale, rendering is pure, and the store is
written by ``write_store`` alone, which its callers (the reader, ``invoke freeze``) call
once a post went through without a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import SamplesConfig
from .errors import SampleError, SampleErrors
from .execute import Execution, execute_plan
from .figures import figure_digests, write_figures
from .files import links_leaving, read_included
from .keys import file_digests
from .parse import PostDocument, parse_post
from .plan import PostPlan, SessionPlan, plan_post
from .positions import display_path
from .progress import Progress
from .render import render_sample
from .select import select_snippet
from .store import FreezeStore, FrozenRun
from .values import ValueRef, resolve_value


@dataclass
class RenderedPost:
    """HTML for every sample (by opening line), the text of every inline value, what ran,
    and the record each run shows (by opening line)."""

    post: PostDocument
    plan: PostPlan
    html: dict[int, str] = field(default_factory=dict)
    values: list[tuple[ValueRef, str]] = field(default_factory=list)
    execution: Execution = field(default_factory=Execution)
    records: dict[int, FrozenRun] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # printed by the caller, once; not errors


def load_post(source: Path, config: SamplesConfig, text: str | None = None) -> PostDocument:
    """Read (unless given its ``text``) and parse one post; raises positioned SampleErrors."""
    if text is None:
        text = source.read_text(encoding="utf-8-sig")
    return parse_post(source, text, display_path(source, config.project_root))


def plan_for(post: PostDocument, config: SamplesConfig) -> PostPlan:
    """The plan of ``post`` against its store, its folder and the lab it declares; a
    folder holding a link to outside it is refused first (SampleErrors)."""
    check_folder(post, config)
    store = FreezeStore(post.post_dir / config.store_name,
                        display_path(post.post_dir / config.store_name, config.project_root))
    files = file_digests(post.post_dir, config.excluded(post.source))
    return plan_post(post, store, files, figure_digests(post.post_dir))


def check_folder(post: PostDocument, config: SamplesConfig) -> None:
    """Refuse a post whose folder links to files outside it, one error per link (a link an
    include names has the include's own error, at its line)."""
    named = {include.relpath for include in post.includes}
    errors = [SampleError(
        f"{name} is a symlink to {target}, outside the post's folder: the build would publish "
        "it, pack it into the reproduce archive and copy it into every session",
        post.path, 1, "copy the file into the post folder instead of linking to it")
        for name, target in links_leaving(post.post_dir, config.excluded(post.source))
        if name not in named]
    if errors:
        raise SampleErrors(errors)


def build_post(source: Path, config: SamplesConfig, text: str | None = None,
               progress: Progress | None = None) -> RenderedPost:
    """Render every sample and value of the post, executing stale sessions when allowed.

    All problems of the post are raised together as SampleErrors.  Nothing is written:
    the caller passes the result to ``write_store`` once its own checks of the post passed.
    """
    post = load_post(source, config, text)
    plan = plan_for(post, config)
    rendered = RenderedPost(post, plan)
    errors: list[SampleError] = []
    for include in post.includes:
        try:
            snippet = select_snippet(include, read_included(include, post.post_dir))
            rendered.html[include.line] = render_sample(include, snippet)
        except SampleError as err:
            errors.append(err)
    if plan.stale and config.execute:
        rendered.execution = execute_plan(plan, config, progress or Progress.for_mode(config.progress))
        errors.extend(rendered.execution.errors)
    elif plan.stale:
        errors.extend(stale_error(session, config) for session in plan.stale)
    records = rendered.records = _records(plan, rendered.execution)
    by_line = {sample.line: sample for sample in post.samples}
    for line, record in records.items():
        try:
            rendered.html[line] = render_sample(by_line[line], record)
        except SampleError as err:  # output= that picks nothing in this output
            errors.append(err)
    by_id = post.by_value_id()
    for value in post.values:
        record = records.get(by_id[value.name].line)
        if record is not None:
            try:
                rendered.values.append((value, resolve_value(value, record.output)))
            except SampleError as err:
                errors.append(err)
    if errors:  # a failed build changes nothing: not even the records of the sessions that ran
        raise SampleErrors(sorted(errors, key=lambda e: e.line))
    rendered.warnings = large_outputs(post, records, config.output_cap)
    return rendered


# A shown output over this share of SAMPLES_OUTPUT_CAP is legal but makes a heavy page.
LARGE_OUTPUT_SHARE = 0.5


def large_outputs(post: PostDocument, records: dict[int, FrozenRun], cap: int) -> list[str]:
    """One warning per shown run whose output is over ``LARGE_OUTPUT_SHARE`` of the cap:
    the page carries all of it (``output=`` only chooses the lines shown first)."""
    warnings = []
    for sample in post.samples:
        record = records.get(sample.line)
        size = len(record.output.encode()) if record is not None else 0
        if size > cap * LARGE_OUTPUT_SHARE and not sample.hidden:
            warnings.append(f"{sample.where}: warning: {sample.noun} printed {_kib(size)}, over "
                            f"half the {_kib(cap)} output cap, and the page carries all of it "
                            "(show fewer lines with output=, or print less: write bulky output "
                            "to a file and show a summary)")
    return warnings


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def write_store(rendered: RenderedPost) -> None:
    """The one writer of a post's store, called after a build of the post without errors:
    the new records and the fresh ones, in document order, and the figures they name beside
    it.  Records of runs no longer in the post go on every call, so a store holds only the
    post's current runs; a post without runs keeps no store.  Writes only what changed."""
    plan, executed = rendered.plan, rendered.execution.records
    kept: list[FrozenRun] = []
    for session in plan.sessions:
        if session.fresh:
            kept.extend(session.records)
        else:
            kept.extend(executed[sample.line] for sample in session.samples)
    if not executed and [id(r) for r in kept] == [id(r) for r in plan.store.runs]:
        return  # nothing ran and nothing is left to prune
    write_figures(plan.post.post_dir, kept, rendered.execution.figures)
    if kept:
        plan.store.write(kept, plan.files)
    else:
        plan.store.path.unlink(missing_ok=True)
        plan.store.runs = []


def _records(plan: PostPlan, execution: Execution) -> dict[int, FrozenRun]:
    records = {}
    for session in plan.sessions:
        if session.fresh:
            records.update({s.line: r for s, r in zip(session.samples, session.records)})
        elif all(s.line in execution.records for s in session.samples):
            records.update({s.line: execution.records[s.line] for s in session.samples})
    return records


def stale_error(session: SessionPlan, config: SamplesConfig) -> SampleError:
    """The one positioned error for a stale session where nothing may execute (the build
    with execution off, ``invoke samples``, a pytest item without a record)."""
    first = next((s for s, r in zip(session.samples, session.records) if r is None),
                 session.samples[0])
    return first.error(
        f"no frozen result matches this run (session {session.name!r}: {session.stale_reason})",
        f"build with execution on (invoke build) and commit {config.store_name}",
    )
