"""The grader's secret, and the key each submission's hidden-test inputs are drawn from.

The secret is drawn once per course and kept in a file of the course folder that nothing else
reads: not released, not in any feedback, and outside what the sandboxed kernel can see (or in
the ``GRADER_SECRET`` environment variable, e.g. for a cluster). A submission's key is an HMAC
of its bytes under the secret: re-grading the same file draws the same inputs and gives the same
verdict; any other file - a resubmission, another student's - gets other inputs, which nobody
can compute without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = ".grading-secret"
ENV = "GRADER_SECRET"


def grading_secret(course_folder: Path) -> bytes:
    """The course's secret: $GRADER_SECRET, else the course folder's secret file (created,
    readable by its owner only, on first use)."""
    if os.environ.get(ENV):
        return os.environ[ENV].encode()
    path = Path(course_folder) / SECRET_FILE
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


def inputs_key(secret: bytes, submission: bytes) -> str:
    """The key a submission's hidden-test inputs are drawn from."""
    digest = hashlib.sha256(submission).hexdigest()
    return hmac.new(secret, f"hidden-test inputs\0{digest}".encode(), "sha256").hexdigest()
