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


def lms_archive(tmp_path, names):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in names:
            zf.writestr(name, "{}")
    return archive


def by_student(subs):
    return {s.student_id: s for s in subs}


def test_canvas_names_late_marker_and_newest_resubmission(tmp_path):
    subs, _ = collect(lms_archive(tmp_path, [
        f"garciajose_LATE_1001_7_{OURS.notebook}.ipynb",
        f"garciajose_LATE_1001_8_{OURS.notebook}-2.ipynb",
        f"garciajose_LATE_1001_9_{OURS.notebook}-1.ipynb",
        f"smithann_1002_5_{OURS.notebook}.ipynb",
    ]), tmp_path / "u")
    subs = by_student(subs)
    assert set(subs) == {"garciajose", "smithann"}
    assert subs["garciajose"].path.name.endswith("-2.ipynb")
    assert any("late" in note for note in subs["garciajose"].notes)
    assert any("3 notebooks" in note for note in subs["garciajose"].notes)
    assert subs["smithann"].notes == ()


def test_moodle_folders_and_files_keep_unicode_names(tmp_path):
    subs, _ = collect(lms_archive(tmp_path, [
        "José García_31_assignsubmission_file_/answers.ipynb",
        f"Zoë  O'Brien_32_assignsubmission_file_{OURS.notebook}.ipynb",
    ]), tmp_path / "u")
    assert [s.student_id for s in subs] == ["José García", "Zoë  O'Brien"]
    assert all(s.problem is None for s in subs)


def test_blackboard_attempts_newest_wins_and_receipts_are_not_submissions(tmp_path):
    subs, _ = collect(lms_archive(tmp_path, [
        "HW 3_jdoe_attempt_2026-01-05-09-00-00_nb.ipynb",
        "HW 3_jdoe_attempt_2026-01-06-08-00-00_nb.ipynb",
        "HW 3_jdoe_attempt_2026-01-06-08-00-00.txt",
    ]), tmp_path / "u")
    assert [s.student_id for s in subs] == ["jdoe"]
    assert "2026-01-06" in subs[0].path.name
    assert subs[0].submitted_at.day == 6


def test_roster_ties_lms_ids_and_names_and_never_drops_a_file(tmp_path):
    from grader.roster import Roster

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,lms_id\ns1,José García,1001\ns2,Ann Smith,\n"
                      "s3,Nobody Submitted,1003\n", encoding="utf-8")
    subs, _ = collect(lms_archive(tmp_path, [
        f"garciajose_1001_1_{OURS.notebook}.ipynb",           # by Canvas user id
        f"Ann Smith_77_assignsubmission_file_{OURS.notebook}.ipynb",  # by name
        f"stranger_4242_2_{OURS.notebook}.ipynb",              # nobody on the roster
        "notes.pdf",
    ]), tmp_path / "u", OURS, Roster.read(roster))
    subs = by_student(subs)
    assert subs["s1"].problem is None and subs["s2"].problem is None
    assert subs["s3"].problem == "no submission" and subs["s3"].is_student
    stranger = [s for s in subs.values() if "stranger" in s.student_id]
    assert len(stranger) == 1 and "no student in the roster" in stranger[0].problem
    assert not stranger[0].is_student
    assert "no notebook" in subs["notes.pdf"].problem and not subs["notes.pdf"].is_student
    assert len(subs) == 5


def test_other_files_of_a_student_add_no_row_unless_they_sent_no_notebook(tmp_path):
    subs, _ = collect(lms_archive(tmp_path, [
        f"garciajose_1001_1_{OURS.notebook}.ipynb",
        "garciajose_1001_2_scratch.py",
        "smithann_1002_3_answers.pdf",
        "Ann Lee_55_assignsubmission_onlinetext_onlinetext.html",
    ]), tmp_path / "u")
    subs = by_student(subs)
    assert set(subs) == {"garciajose", "smithann", "Ann Lee"}
    assert subs["garciajose"].problem is None
    assert subs["smithann"].is_student
    assert subs["smithann"].problem == ("not graded: no notebook (.ipynb) to grade "
                                        "(found: smithann_1002_3_answers.pdf)")


def test_a_roster_without_student_id_is_refused(tmp_path):
    from grader.roster import Roster

    (tmp_path / "r.csv").write_text("name,email\nA,a@x\n")
    with pytest.raises(UsageError, match="student_id"):
        Roster.read(tmp_path / "r.csv")


def test_ids_a_file_system_cannot_hold_are_changed_and_say_so(tmp_path):
    touch(tmp_path / "what[1]?.ipynb")
    subs, _ = collect(tmp_path, tmp_path / "u")
    assert subs[0].student_id == "what_1__"
    assert "id changed from" in subs[0].notes[0]


def test_nbgrader_submitted_folder_gives_times_and_a_row_for_a_missing_notebook(tmp_path):
    from grader.collect import collect_submitted

    alice = touch(tmp_path / "alice" / OURS.name / NB).parent
    (alice / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    touch(tmp_path / "bob" / OURS.name / "renamed.ipynb")
    touch(tmp_path / "carol" / "another_assignment" / NB)
    subs = by_student(collect_submitted(tmp_path, OURS))
    assert set(subs) == {"alice", "bob"}
    assert subs["alice"].submitted_at.hour == 10 and subs["alice"].folder == alice
    assert subs["bob"].path is None and "found: renamed.ipynb" in subs["bob"].problem
