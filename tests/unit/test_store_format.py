"""The freeze store as text: written by its one writer, read back, and refused with a
position when it was edited by hand or broken by a merge."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from engine.errors import SampleError
from engine.store import FreezeStore, FrozenRun

RECORD = FrozenRun("k1", "main", "echo hello", "hello\n", 0, 0.01, "2026-12-05", "3.11.2",
                   {"git": "git 1:2.39.5-0+deb12u2"}, {"flask": "3.1.3"})


def written(tmp_path: Path) -> Path:
    store = FreezeStore(tmp_path / "samples.frozen.json")
    assert store.write([RECORD], {"app.py": "abc"}) is True
    assert store.write([RECORD], {"app.py": "abc"}) is False  # unchanged: not written again
    return store.path


def test_a_written_store_reads_back_the_same_records(tmp_path):
    path = written(tmp_path)
    again = FreezeStore(path)
    assert again.runs == [RECORD] and again.files == {"app.py": "abc"}
    assert json.loads(path.read_text())["runs"][0]["output"] == ["hello", ""]  # one line per line


def test_an_output_edited_by_hand_is_refused_at_its_record(tmp_path):
    path = written(tmp_path)
    path.write_text(path.read_text().replace('"hello",', '"hello, edited",'))
    key_line = path.read_text().splitlines().index('      "key": "k1",') + 1
    with pytest.raises(SampleError) as caught:
        FreezeStore(path, "store.json")
    assert str(caught.value).startswith(f"store.json:{key_line}: the record of 'echo hello' was "
                                        "changed by hand")


def test_merge_conflict_markers_are_refused_at_the_first_marker(tmp_path):
    path = written(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:3], "<<<<<<< HEAD\n", *lines[3:]]))
    with pytest.raises(SampleError, match="^store.json:4: the store has merge-conflict markers"):
        FreezeStore(path, "store.json")


def test_the_change_date_and_figure_are_optional_fields_under_the_checksum(tmp_path):
    data = RECORD.as_json()
    assert "changed" not in data and "figure" not in data  # older records keep their text
    figure = {"name": "chart.svg", "sha256": "ab" * 32, "bytes": 1200, "width": 576, "height": 288}
    drawn = replace(RECORD, changed="2026-11-02", figure=figure)
    store = FreezeStore(tmp_path / "samples.frozen.json")
    store.write([drawn], {})
    assert FreezeStore(store.path).runs == [drawn]
    store.path.write_text(store.path.read_text().replace("2026-11-02", "2026-11-03"))
    with pytest.raises(SampleError, match="was changed by hand"):
        FreezeStore(store.path)
