"""The benchmark script runs the stages it is asked for and reports them. Its figures are
not judged here: speed is measured by the script, on a quiet machine, not by the suite."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600
    )


def test_bench_reports_the_stages_asked_for(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    result = bench("--only", "tagging,training,store", "--items", "3000", "--json", str(figures))
    assert result.returncode == 0, result.stderr
    assert "| tag + extract + group | " in result.stdout
    assert "| the same without the model (rules alone), one core | " in result.stdout
    assert "| train on 5,000 labelled items (cross-validation and fit) | " in result.stdout
    assert "| load the store | " in result.stdout
    assert "fetch" not in result.stdout
    reported = json.loads(figures.read_text(encoding="utf-8"))
    assert set(reported) == {"tagging", "training", "store_load"}
    assert reported["training"]["examples"] == 5000 and reported["training"]["seconds"] > 0
    tagging = reported["tagging"]
    for config in ("one_core", "all_cores", "rules_only"):
        assert len(tagging[config]["runs_seconds"]) == 3
        assert tagging[config]["items_per_second"] > 0
    # The synthetic store has deals and stories retold by several sources.
    assert tagging["deals"] > 0 and tagging["grouped_as_duplicates"] > 0
    assert reported["store_load"]["items"] == 3000


def test_bench_refuses_an_unknown_stage() -> None:
    result = bench("--only", "tagger")
    assert result.returncode == 2
    assert "unknown stage(s) tagger" in result.stderr
