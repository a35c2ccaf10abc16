"""Publishing and first use: the workflows, feedkb init/demo, and the wheel a new user installs."""

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from feedkb.values import VALUE_SLUGS
from tests.conftest import REPO, run

WORKFLOWS = REPO / ".github" / "workflows"
DEFAULTS = REPO / "src" / "feedkb" / "defaults"


def test_workflows_pass_actionlint() -> None:
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint"
    )
    assert actionlint, "actionlint is a test dependency (see pyproject.toml)"
    result = subprocess.run(
        [actionlint, *map(str, sorted(WORKFLOWS.glob("*.yml")))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_publish_workflow_shape() -> None:
    flow = YAML(typ="safe").load((WORKFLOWS / "publish.yml").read_text(encoding="utf-8"))
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads "on" as true
    assert {"schedule", "workflow_dispatch", "push"} <= set(triggers)
    assert triggers["schedule"][0]["cron"]
    assert flow["concurrency"]["group"] and flow["permissions"] == {"contents": "read"}
    build, deploy = flow["jobs"]["fetch-and-build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in build["steps"])
    for needed in (
        "feedkb doctor",
        "feedkb fetch",
        "GITHUB_STEP_SUMMARY",
        "git diff --cached",
        "feedkb build --strict",
        "actions/upload-pages-artifact",
        "cache",
    ):
        assert needed in steps or needed in json.dumps(build["steps"]), needed
    assert "actions/deploy-pages" in json.dumps(deploy["steps"])


def test_repository_uses_the_package_defaults() -> None:
    """The package's defaults are this repository's own rules and site configuration."""
    assert (REPO / "curation" / "rules.yaml").read_bytes() == (DEFAULTS / "rules.yaml").read_bytes()
    assert (REPO / "mkdocs.yml").read_bytes() == (DEFAULTS / "mkdocs.yml").read_bytes()


def test_init_lays_out_a_knowledge_base(tmp_path: Path) -> None:
    result = run(tmp_path / "curation", "init", str(tmp_path))
    assert result.exit_code == 0
    for path in (
        "mkdocs.yml",
        "docs/guide/index.md",
        "curation/rules.yaml",
        "curation/sources.yaml",
    ):
        assert (tmp_path / path).is_file(), path
    assert run(tmp_path / "curation", "doctor").exit_code == 0
    assert "nothing written" in run(tmp_path / "curation", "init", str(tmp_path)).output


def test_demo_builds_a_complete_site_offline(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run(tmp_path, "demo", "--no-serve", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    items = json.loads(run(folder / "curation", "items", "--format", "json").stdout)
    assert len(items) >= 150 and len({i["source"] for i in items}) >= 5
    weeks = {i["published"][:10] for i in items}
    assert max(weeks) > min(weeks)
    assert set(VALUE_SLUGS) <= {v for i in items for v in i["values"]}
    deals = [i["deal"] for i in items if i["deal"]]
    assert sum(1 for d in deals if d["round"] and d["amount"]) >= 20
    assert any(i["also_covered_by"] for i in items)
    for page in ("index.html", "deals/index.html", "pagefind/pagefind.js", "feeds/all.xml"):
        assert (folder / "site" / page).is_file(), page
    again = run(tmp_path, "demo", "--no-serve", "--dir", str(folder))  # a second run is fine
    assert again.exit_code == 0 and "(0 new items)" in again.output


@pytest.mark.skipif(os.environ.get("FEEDKB_SKIP_WHEEL") == "1", reason="FEEDKB_SKIP_WHEEL=1")
def test_wheel_installs_into_a_fresh_venv_and_runs_the_demo(tmp_path: Path) -> None:
    """What a new user does: install the wheel, run `feedkb demo --no-serve`."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = dist.glob("feedkb-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    demo = subprocess.run(
        [str(env_dir / "bin" / "feedkb"), "demo", "--no-serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    home = (tmp_path / "feedkb-demo" / "site" / "index.html").read_text(encoding="utf-8")
    assert "行业知识库" in home and "fk-item" in home
