"""A fork of the knowledge base passes its own tests: a plain clone carries everything they read.

The clone is of the last commit (uncommitted work is not in it), placed in a folder with nothing
beside it, and runs the README's test command on the tests that read data files: the corpora,
the labelled real items and the dev set.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NESTED = "FEEDKB_IN_FRESH_CLONE"
DATA_READERS = [
    "tests/test_corpus_feedparser.py",
    "tests/test_fetch.py::test_real_chinese_headlines_ingest_with_manifest_counts",
    "tests/test_learning.py::test_real_test_split",
    "tests/test_tagging.py::test_dev_set_quality_meets_the_target",
]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(NESTED)) or not (REPO / ".git").exists(),
    reason="runs once, from a git checkout",
)


def test_the_repository_reads_nothing_outside_itself() -> None:
    tracked = subprocess.run(
        ["git", "grep", "-l", "-e", r"\.\./shared", "--", "*.py", "*.y*ml", "scripts", ".ci"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert tracked.stdout == "", f"read beside the repository:\n{tracked.stdout}"


def test_a_clone_with_nothing_beside_it_passes_the_tests_that_read_data(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    clone = alone / "feedkb"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    assert sorted(p.name for p in alone.iterdir()) == ["feedkb"]
    # The clone's own code must be what runs, not the checkout installed in this venv.
    env = {**os.environ, NESTED: "1", "PYTHONPATH": str(clone / "src")}
    run = subprocess.run(
        ["bash", "scripts/test", "-x", "-p", "no:cacheprovider", *DATA_READERS],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = (run.stdout + run.stderr)[-3000:]
    assert run.returncode == 0, tail
    assert " passed" in run.stdout and "skipped" not in run.stdout.splitlines()[-1], tail


def test_the_clone_runs_its_own_code(tmp_path: Path) -> None:
    clone = tmp_path / "feedkb"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    where = subprocess.run(
        [sys.executable, "-c", "import feedkb; print(feedkb.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(clone), where.stdout
    shutil.rmtree(clone)
