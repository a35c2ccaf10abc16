"""The benchmark script runs the stages it is asked for and reports them. Its figures are
not judged here: speed is measured by the script, on a quiet machine, not by the suite."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def bench(*args: str, script: str = "bench.py") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args], capture_output=True, text=True, timeout=600
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


def test_bench_reports_fetch_side_by_side_and_the_loader(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    result = bench(
        "--only", "fetch,loader", "--sources", "12", "--latency", "0.05", "--json", str(figures)
    )
    assert result.returncode == 0, result.stderr
    for name in ("small", "large"):
        assert f"| fetch 12 {name} feeds x 30 items (" in result.stdout
        assert f"| the same again, every feed unchanged (304), {name} feeds | " in result.stdout
    assert "| load 2,000 sources (sources.yaml, validated) | " in result.stdout
    reported = json.loads(figures.read_text(encoding="utf-8"))
    assert set(reported) == {"fetch", "loader"}
    small, large = reported["fetch"]["small"], reported["fetch"]["large"]
    assert small["feed_kb"] < large["feed_kb"]
    for universe in (small, large):
        assert len(universe["runs_seconds"]) == len(universe["unchanged_runs_seconds"]) == 3
        assert universe["unchanged_bytes"] == 0  # every feed answered 304 the second time
        for key in ("ideal_seconds", "unchanged_ideal_seconds", "sequential_feedparser_s"):
            assert universe[key] > 0
    assert reported["loader"]["sources"] == 2000 and reported["loader"]["seconds"] > 0


def test_bench_reports_the_site_as_members_load_it(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    result = bench("--only", "site", "--site", "300", "--json", str(figures))
    assert result.returncode == 0, result.stderr
    assert "| the site at 300 items, in Chromium | home " in result.stdout
    [site] = json.loads(figures.read_text(encoding="utf-8"))["site"]
    assert site["search"]["results"] > 0 and site["home_gzip_bytes"] > 0
    assert set(site["render_ms"]) == {"home", "deals", "company"}
    assert all(ms > 0 for ms in site["render_ms"].values())


def test_the_year_benchmark_commits_every_run_and_reports_the_store(tmp_path: Path) -> None:
    figures = tmp_path / "year.json"
    result = bench("--days", "2", "--sources", "12", "--json", str(figures), script="bench_year.py")
    assert result.returncode == 0, result.stderr
    assert "| largest file | 2026-01.jsonl, " in result.stdout
    assert "| packed .git after git gc | " in result.stdout
    reported = json.loads(figures.read_text(encoding="utf-8"))
    assert (reported["runs"], reported["entries_published"]) == (12, 240)
    assert 200 < reported["items_stored"] <= 240  # retold stories are stored once
    assert reported["store_files"] == 1 and reported["packed_bytes"] > 0
    assert set(reported["summary_width_what_if"]) == {"220", "200", "180", "160"}
    [january] = reported["run_by_month"].values()
    assert january["store_s"] > 0 and january["store_cpu_s"] > 0 and january["commit_s"] > 0


def test_bench_reports_the_ai_backfill_and_a_down_endpoint(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    result = bench("--only", "ai", "--quick", "--json", str(figures))
    assert result.returncode == 0, result.stderr
    ai = json.loads(figures.read_text(encoding="utf-8"))["ai"]
    assert ai["items"] == 100 and ai["backfill_seconds"] > 0 and ai["vs_ideal"] > 0
    assert ai["requests_after_backfill"] == 0  # the commands after it and the build ask nothing
    assert ai["endpoint_down"]["ratio"] > 0
    assert "`feedkb ai`: 100 items, 50 ms latency, concurrency 8" in result.stdout
