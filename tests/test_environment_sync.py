"""environment.yml (conda route) must ask for exactly what pyproject.toml asks for."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# conda splits dask's "distributed" extra into its own package, and its psycopg is always
# compiled (pip's [binary] extra brings a libpq wheel); pip is conda's installer.
CONDA_SPELLING = {"dask[distributed]": ["dask", "distributed"], "psycopg[binary]": ["psycopg"]}
CONDA_ONLY = {"pip"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)", requirement)
    return match.group(1).lower(), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {"python": project["requires-python"]}
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name, bound = _split(req)
        for conda_name in CONDA_SPELLING.get(name, [name]):
            wanted[conda_name] = bound
    return wanted


def environment_requirements() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    block = text.split("dependencies:", 1)[1]
    entries = re.findall(r"^\s*-\s*(\S+)\s*$", block, flags=re.MULTILINE)
    found = dict(_split(entry) for entry in entries)
    return {name: bound for name, bound in found.items() if name not in CONDA_ONLY}


def test_environment_yml_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_bounds_are_pinned_from_below():
    assert all(bound.startswith(">=") for bound in pyproject_requirements().values())
