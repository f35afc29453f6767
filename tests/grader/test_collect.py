"""Finding one notebook per student in the layouts instructors actually receive."""

from __future__ import annotations

import zipfile

import pytest

from grader import course
from grader.collect import UsageError, collect
from grader.notebook_io import NotebookError, read_notebook

OURS = course.default_assignment()  # this repository's own assignment

NB = f"{OURS.notebook}.ipynb"


def touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_three_layouts_side_by_side(tmp_path):
    touch(tmp_path / "ada.ipynb")
    touch(tmp_path / "bob" / NB)
    touch(tmp_path / "cy" / OURS.name / NB)
    subs, warnings = collect(tmp_path, tmp_path / "unzipped")
    assert [(s.student_id, s.path.relative_to(tmp_path).as_posix()) for s in subs] == [
        ("ada", "ada.ipynb"), ("bob", f"bob/{NB}"), ("cy", f"cy/{OURS.name}/{NB}")]
    assert warnings == []


def test_most_specific_layout_wins_and_is_reported(tmp_path):
    touch(tmp_path / "ada" / NB)
    touch(tmp_path / "ada" / OURS.name / NB)
    subs, warnings = collect(tmp_path, tmp_path / "unzipped")
    assert subs[0].path == tmp_path / "ada" / OURS.name / NB
    assert "2 notebooks" in warnings[0]


def test_checkpoints_and_hidden_files_are_skipped_odd_names_kept(tmp_path):
    touch(tmp_path / ".ipynb_checkpoints" / "x.ipynb")
    touch(tmp_path / "__MACOSX" / "y.ipynb")
    touch(tmp_path / "odd id!.ipynb")
    touch(tmp_path / "ok.ipynb")
    subs, warnings = collect(tmp_path, tmp_path / "unzipped")
    assert [s.student_id for s in subs] == ["odd id!", "ok"]
    assert warnings == []


def test_zip_export_with_a_wrapping_folder(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"class/ada/{NB}", "{}")
        zf.writestr("class/bob.ipynb", "{}")
    subs, _ = collect(archive, tmp_path / "unzipped")
    assert [s.student_id for s in subs] == ["ada", "bob"]


def test_zip_with_an_escaping_path_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/owned.ipynb", "{}")
    with pytest.raises(UsageError, match="unsafe path"):
        collect(archive, tmp_path / "unzipped")


def test_unusable_locations(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        collect(tmp_path / "missing", tmp_path / "u")
    touch(tmp_path / "notes.txt")
    with pytest.raises(UsageError, match="neither a folder nor a .zip"):
        collect(tmp_path / "notes.txt", tmp_path / "u")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="nothing gradable"):
        collect(tmp_path / "empty", tmp_path / "u")


@pytest.mark.parametrize("content, reason", [
    ('{"cells": [', "not valid JSON"),
    ("[1, 2, 3]", "not a Jupyter notebook"),
    ('{"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
     "not a valid Jupyter notebook"),
])
def test_malformed_notebooks_are_named_for_what_is_wrong(tmp_path, content, reason):
    with pytest.raises(NotebookError, match=reason):
        read_notebook(touch(tmp_path / "x.ipynb", content))


def test_binary_file_is_not_a_notebook(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(NotebookError, match="not a text file"):
        read_notebook(path)
