"""An optional class roster (CSV): ties LMS names and ids to the course's student ids.

Columns (header row required, only `student_id` is mandatory, any others are ignored):

- ``student_id`` - the id used in the gradebook, grades.csv and feedback;
- ``lms_id`` - the student's id in the LMS: Canvas user id, Moodle participant id,
  Blackboard username;
- ``name`` - the name the LMS shows ("José García"; Canvas's "garciajose" matches too);
- ``email``, ``sis_id``, ``section`` - copied into the LMS exports.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .collect import UsageError


def squash(name: str) -> str:
    """A name reduced for matching: letters and digits only, lower case, no accents (Canvas
    writes "García, José" as "garciajose" in file names)."""
    text = unicodedata.normalize("NFKD", name).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class Roster:
    """The roster rows, by student id."""

    rows: dict[str, dict[str, str]]

    @classmethod
    def read(cls, path: Path | str) -> Roster:
        path = Path(path)
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                if "student_id" not in (reader.fieldnames or []):
                    raise UsageError(f"roster {path} needs a 'student_id' column "
                                     f"(found: {', '.join(reader.fieldnames or []) or 'none'})")
                rows = {}
                for row in reader:
                    row = {k.strip(): unicodedata.normalize("NFC", (v or "").strip())
                           for k, v in row.items() if k}
                    if row["student_id"]:
                        rows[row["student_id"]] = row
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            raise UsageError(f"cannot read the roster {path}: {err}") from None
        return cls(rows)

    @property
    def students(self) -> list[str]:
        return sorted(self.rows)

    def match(self, lms_id: str, name: str) -> str | None:
        """The student id for an LMS id or a name as the LMS writes it; None if nobody."""
        for student, row in self.rows.items():
            if lms_id and lms_id in (row.get("lms_id"), student):
                return student
        if not name:
            return None
        wanted = squash(name)
        for student, row in self.rows.items():
            names = {squash(student), squash(row.get("name", ""))}
            # Canvas puts the family name first ("garciajose" for "José García")
            names.add(squash("".join(reversed(row.get("name", "").split()))))
            if wanted and wanted in names:
                return student
        return None

    def get(self, student: str, column: str) -> str:
        return self.rows.get(student, {}).get(column, "")
