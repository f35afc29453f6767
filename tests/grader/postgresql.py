"""A throw-away PostgreSQL server from Debian's `postgresql` package, for gradebook tests.

initdb + pg_ctl in a temporary folder, listening only on a unix socket there, with trust
authentication and fsync off (it holds nothing worth keeping). PostgreSQL refuses to run as
root, so under root (CI) the server runs as the unprivileged user `nobody`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

SUPERUSER = "grader"


def binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


class Server:
    """One server; `database()` hands out a fresh database's SQLAlchemy URL."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        # not under pytest's tmp_path: its 0700 parents would keep `nobody` out
        self.root = Path(tempfile.mkdtemp(prefix="grader-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        as_root = os.geteuid() == 0
        nobody = pwd.getpwnam("nobody") if as_root else None
        self._user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []} \
            if as_root else {}
        if as_root:
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=120, cwd=self.root,
                       **self._user)

    def start(self) -> Server:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
        options = f"-k {self.root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                      "-o", options, "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as err:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {err.stderr!r}\n{log}") from err
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.root}"

    def database(self) -> str:
        """A new empty database on this server; its SQLAlchemy URL."""
        from sqlalchemy import create_engine, text

        name = f"gradebook_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                      "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
