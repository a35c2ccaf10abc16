"""feedkb benchmark: every stage of the pipeline on a synthetic universe (issue #7).

    python scripts/bench.py [--quick] [--json FIGURES.json] [--site 2000,20000,100000]
                            [--only fetch,loader,parse,tagging,training,store,site]

Fetch (generated feeds served from 127.0.0.1 with a latency per response and ETag/304: 300
small feeds and 500 large ones), first and unchanged, against the ideal and against a
sequential feedparser.parse(url) loop; loading 2,000 sources; parse + normalise
against feedparser alone; tag + extract + group on one core and on all, with the value model
and without (time and peak memory); training the model on 5,000 examples; loading the store;
`mkdocs build` with the Pagefind index per site size (wall time, peak memory, what a browser
downloads for a first search). Prints a Markdown table; --json writes the figures.
"""

import argparse
import asyncio
import compileall
import gzip
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedkb
from feedkb.kb import build_kb
from feedkb.learn.examples import example_of
from feedkb.learn.model import DEFAULT_MODEL, load_model
from feedkb.learn.train import cross_validate, fit
from feedkb.model import Item, format_utc
from feedkb.overrides import Overrides
from feedkb.rules import load_rules
from feedkb.sources import Source, SourceList
from feedkb.store import Store
from feedkb.tagging import Tagger
from feedkb.values import VALUE_SLUGS
from feedkb.yamlfile import load_yaml

REPO = Path(__file__).resolve().parents[1]
FETCH_RUNS = 3
TAGGING_RUNS = 3
STAGES = ("fetch", "loader", "parse", "tagging", "training", "store", "site", "ai")
NAME_CHARS = (
    "星河云杉深蓝极光鲸火石小满芯视界合蜂鸟千帆天工远航明途瑞禾绿源青墨凌万象知了数澜优选"
    "安博创达鼎丰泰华信恒盛昌宏德嘉兴福瑞祥和康宁聚元鑫汇通联众诚志远卓越峰睿思"
    "智慧云图灵犀启明晨曦朗逸清源浩然翰林锦程腾跃飞驰磐石砺金玉麟凤凰鹏程万里"
)
NAME_SUFFIXES = ["科技", "智能", "数科", "医疗", "机器人", "新能源", "生物", "物流", ""]
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "C轮", "战略"]
INVESTORS = ["远景创投", "青松资本", "明德投资", "蓝湾基金", "华启资本", "国投创新"]
TEMPLATES = [  # every one names a company or a figure, as real headlines do
    "{c}完成{n}亿元{r}融资，{i}领投",
    "{c}获{n}千万美元{r}投资",
    "{c}与{c2}签署战略合作协议，共建{s}平台",
    "{c}发布新一代{s}产品，面向中小企业",
    "深度：{s}行业的{n}个趋势与{c}的机会",
    "如何用{s}提升用户增长：{c}的案例复盘",
    "报名开启｜{c}主办2026{s}峰会，{m}月{n}日举办",
    "《2026中国{s}白皮书》发布，{c}联合编写",
    "{m}月全国{s}销量同比增长{n}%，{c}居首",
    "{n}只个股涨停，{c}等{s}概念股领涨",
]
SENTENCES = [
    "公司成立于2019年，总部位于上海，核心团队来自头部互联网企业。",
    "本轮资金将用于产品研发、团队建设和海外市场拓展。",
    "据介绍，其产品已服务超过300家企业客户，覆盖制造、零售和金融行业。",
    "行业人士认为，这一赛道在未来三年仍将保持高速增长。",
    "数据显示，今年前三季度相关市场规模同比增长超过30%。",
    "报告指出，中小企业的数字化渗透率仍然不足两成。",
    "活动现场，多位嘉宾围绕技术落地和商业化路径展开讨论。",
    "投资方表示，看好团队在细分领域的技术积累和交付能力。",
    "与去年相比，头部企业的市场份额进一步集中。",
    "该负责人透露，公司计划明年在东南亚设立区域总部。",
    "业内分析认为，价格战短期内难以结束，行业将进入洗牌期。",
    "本文从用户、产品和渠道三个角度，复盘其增长路径。",
    "目前，该平台的月活跃用户已突破500万。",
    "公告显示，本次交易尚需监管部门审批。",
    "双方将在供应链管理和渠道建设方面展开深度合作。",
    "报名方式见文末，名额有限，先到先得。",
]
SECTORS = [
    "储能",
    "自动驾驶",
    "私域运营",
    "跨境电商",
    "工业软件",
    "低空经济",
    "医疗器械",
    "SaaS",
    "合成生物",
    "半导体",
    "新能源汽车",
    "机器人",
    "数字人",
    "AI制药",
    "智慧农业",
    "冷链物流",
    "在线教育",
    "新消费",
    "云计算",
    "网络安全",
    "光伏",
    "氢能",
    "商业航天",
    "宠物经济",
    "银发经济",
    "预制菜",
    "短剧",
    "具身智能",
    "大模型",
    "智能穿戴",
]


def company_name(rng: random.Random) -> str:
    return "".join(rng.sample(NAME_CHARS, rng.choice((2, 3)))) + rng.choice(NAME_SUFFIXES)


def synthetic_items(count: int, sources: int = 50, seed: int = 7) -> list[Item]:
    """Realistic-looking Chinese items; about one in ten retells another source's story."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items: list[Item] = []
    for n in range(count):
        if items and rng.random() < 0.1:
            told = rng.choice(items[-200:])
            title = told.title.replace("完成", "获得").replace("，", "，据悉")
            moment = told.published
        else:
            title = rng.choice(TEMPLATES).format(
                c=company_name(rng),
                c2=company_name(rng),
                r=rng.choice(ROUNDS),
                i=rng.choice(INVESTORS),
                s=rng.choice(SECTORS),
                n=rng.randint(2, 99),
                m=rng.randint(1, 12),
            )
            moment = format_utc(start + timedelta(minutes=n * 5))
        summary = (title + "。" + "".join(rng.sample(SENTENCES, 6)))[:280]
        items.append(
            Item(
                id=f"{n:016x}",
                source=f"s{n % sources}",
                title=title,
                url=f"https://e{n % sources}.example.com/{n}",
                guid="",
                published=moment,
                first_seen=moment,
                summary=summary,
            )
        )
    return items


def bench_tagging(count: int) -> dict:
    """tag + extract + group: on one core, and with a process per core; the median of
    TAGGING_RUNS runs, each in a process of its own, as `feedkb build` would be: memory the
    first build touched makes a second one in the same process a tenth faster, which no real
    run gets."""
    figures: dict = {"items": count}
    context = multiprocessing.get_context("spawn")
    configurations = (("one_core", 1, True), ("all_cores", None, True), ("rules_only", 1, False))
    for label, processes, with_model in configurations:
        runs = []
        for _ in range(TAGGING_RUNS):
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                runs.append(pool.submit(_timed_build, count, processes, with_model).result())
        seconds = statistics.median(run["seconds"] for run in runs)
        figures[label] = {
            "seconds": seconds,
            "runs_seconds": [run["seconds"] for run in runs],
            "items_per_second": round(count / seconds),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        }
        figures.update(deals=runs[0]["deals"], grouped_as_duplicates=runs[0]["grouped"])
    return figures


def bench_training(count: int) -> dict:
    """`feedkb train` on ``count`` labelled examples: cross-validation and the final fit.
    The labels are the rules' values of synthetic items: any labels take as long to learn."""
    rules = load_rules(REPO / "curation")
    tagger = Tagger(rules)
    examples = [
        example_of(
            item.id,
            item.title,
            item.summary,
            {
                slug: slug in tagger.tag_text(item.title, item.summary).values
                for slug in VALUE_SLUGS
            },
            tagger,
            VALUE_SLUGS,
        )
        for item in synthetic_items(count)
    ]
    start = time.perf_counter()
    cross_validate(examples, VALUE_SLUGS)
    model = fit(examples, VALUE_SLUGS, "")
    return {
        "examples": count,
        "seconds": round(time.perf_counter() - start, 2),
        "ngrams_kept": len(model.vocabulary),
    }


def _timed_build(count: int, processes: int | None, with_model: bool) -> dict:
    items = synthetic_items(count)
    sources = {
        f"s{n}": Source(
            id=f"s{n}", title="t", url="https://e.example.com/f", values=("news",) if n % 2 else ()
        )
        for n in range(50)
    }
    rules = load_rules(REPO / "curation")
    start = time.perf_counter()
    model = load_model(DEFAULT_MODEL) if with_model else None  # loaded by every build
    kb = build_kb(
        items,
        sources,
        rules,
        Overrides(Path("o.yaml"), {}, {}),
        model=model,
        processes=processes,
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "deals": sum(1 for e in kb.entries.values() if e.deal),
        "grouped": sum(1 for e in kb.entries.values() if e.duplicate_of),
    }


def write_store(curation: Path, count: int | list[Item]) -> None:
    """A curation folder holding ``count`` synthetic items (or these items) and the
    repository's rules."""
    curation.mkdir(parents=True)
    shutil.copy(REPO / "curation" / "rules.yaml", curation / "rules.yaml")
    lines = ["sources:"] + [
        f"  - id: s{n}\n    title: 来源{n}\n    url: https://e{n}.example.com/feed"
        for n in range(50)
    ]
    (curation / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = synthetic_items(count) if isinstance(count, int) else count
    Store(curation).add_items((item, [f"id:{item.id}"]) for item in items)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served_in_chromium(site: Path) -> Iterator[tuple[Any, str]]:
    """Headless Chromium and the URL of ``site`` served over HTTP on 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            yield browser, f"http://127.0.0.1:{server.server_address[1]}/"
            browser.close()
    finally:
        server.shutdown()


def first_search_bytes(site: Path, query: str = "融资") -> dict:
    """What a browser downloads to answer its first query, raw and gzipped as a static host
    would serve text (Pagefind's index files are compressed already)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fetched: list[tuple[str, bytes]] = []
    with served_in_chromium(site) as (browser, base):
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(base, wait_until="networkidle")
        page.on("response", lambda r: fetched.append((r.url, r.body())))
        search = page.locator("input.md-search__input")
        search.click()
        for _attempt in range(3):  # typed before the search script was ready: type again
            search.fill(query)
            try:
                page.locator(".md-search-result__item").first.wait_for(timeout=20000)
                break
            except PlaywrightTimeout:
                search.fill("")
        else:
            raise RuntimeError(f"{site} gave no search results for {query}: {problems}")
        page.wait_for_timeout(1000)
        results = page.locator(".md-search-result__item").count()
    raw = sum(len(body) for _url, body in fetched)
    gzipped = sum(len(body) if ".pf_" in url else len(gzip.compress(body)) for url, body in fetched)
    return {"files": len(fetched), "bytes": raw, "gzip_bytes": gzipped, "results": results}


# `mkdocs` writing its own peak memory (VmHWM) to argv[1] as it exits. Asked of the process
# itself: the kernel's count for a child includes the benchmark's memory it was forked from.
MKDOCS_WITH_PEAK = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def report():
    with open("/proc/self/status") as status, open(out, "w") as peak:
        peak.write(next(line for line in status if line.startswith("VmHWM")))
atexit.register(report)
sys.argv[0] = "mkdocs"
runpy.run_module("mkdocs", run_name="__main__")
"""


def bench_site(count: int, work: Path) -> dict:
    curation = work / f"kb-{count}" / "curation"
    write_store(curation, count)
    site = work / f"site-{count}"
    peak = work / f"peak-{count}.txt"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", MKDOCS_WITH_PEAK, str(peak), "build", "-q", "-d", str(site)],
        cwd=REPO,
        env={**os.environ, "FEEDKB_CURATION": str(curation), "NO_MKDOCS_2_WARNING": "1"},
        check=True,
    )
    seconds = time.perf_counter() - start
    pages = sum(1 for _ in site.rglob("*.html"))
    figures = {
        "items": count,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(int(peak.read_text().split()[1]) / 1024),
        "pages": pages,
    }
    figures["search"] = first_search_bytes(site)
    figures["home_gzip_bytes"] = home_bytes(site)
    figures["render_ms"] = render_ms(
        site, {"home": "", "deals": "deals/", "company": busiest_company_page(site)}
    )
    return figures


AI_LATENCY, AI_CONCURRENCY = 0.05, 8


def bench_ai(work: Path, items: int = 1_000, down_sources: int = 100, down_runs: int = 3) -> dict:
    """#15: `feedkb ai` on ``items`` items against the local chat-completions server
    (tests/chatserver.py) answering after AI_LATENCY, at AI_CONCURRENCY, against its ideal
    (items x latency / concurrency, plus the same command's time with nothing left to ask);
    then that command and a site build, which must send no request; then fetch + build with
    the endpoint down against the same without AI."""
    sys.path.insert(0, str(REPO))
    from tests.chatserver import ChatServer

    server = ChatServer(AI_LATENCY)
    curation = work / "ai" / "curation"
    write_visible_store(curation, items)
    (curation / "ai.yaml").write_text(
        f"base_url: {server.base_url}\nmodel: bench\nconcurrency: {AI_CONCURRENCY}\n"
        f"max_items: {items}\nmax_tokens: 100000000\n",
        encoding="utf-8",
    )
    backfill = run_feedkb(curation, "ai")
    asked = len(server.requests)
    startup = statistics.median(run_feedkb(curation, "ai") for _ in range(3))
    build = run_build(curation, work / "ai" / "site")
    sent_after = len(server.requests) - asked
    server.close()
    ideal = asked * AI_LATENCY / AI_CONCURRENCY + startup
    return {
        "items": asked,
        "latency_s": AI_LATENCY,
        "concurrency": AI_CONCURRENCY,
        "backfill_seconds": round(backfill, 2),
        "startup_seconds": round(startup, 2),
        "ideal_seconds": round(ideal, 2),
        "vs_ideal": round(backfill / ideal, 2),
        "rebuild_seconds": round(build, 1),
        "requests_after_backfill": sent_after,
        "endpoint_down": bench_endpoint_down(work, down_sources, down_runs),
    }


def write_visible_store(curation: Path, count: int) -> None:
    """A store of ``count`` items that members all see: no retold story among them."""
    rules = load_rules(REPO / "curation")

    def shown(items: list[Item]) -> list[Item]:
        seen = {
            e.id for e in build_kb(items, {}, rules, Overrides(Path("o.yaml"), {}, {})).visible()
        }
        return [item for item in items if item.id in seen]

    spare = shown(synthetic_items(count * 2))
    chosen, spare = spare[:count], spare[count:]
    while len(kept := shown(chosen)) < count:  # fewer items can group differently: refill
        need = count - len(kept)
        chosen, spare = kept + spare[:need], spare[need:]
    write_store(curation, chosen)


def bench_endpoint_down(work: Path, sources: int, runs: int) -> dict:
    """`feedkb fetch` and a site build into a new knowledge base, with ai.yaml naming an
    endpoint nobody answers and without ai.yaml, in turn (medians of ``runs``)."""
    rng = random.Random(5)
    feeds = {f"f{n}.xml": synthetic_feed(n, 30, rng, SMALL_BODY_CHARS) for n in range(sources)}
    server = FeedServer(feeds, 0.05)
    lines = ["sources:"] + [
        f"  - id: f{n}\n    title: 来源{n}\n    url: {server.base}f{n}.xml" for n in range(sources)
    ]
    times: dict[str, list[float]] = {"without AI": [], "endpoint down": []}
    for run in range(runs):
        for case in times:
            curation = work / f"down-{run}-{case.replace(' ', '-')}" / "curation"
            curation.mkdir(parents=True)
            shutil.copy(REPO / "curation" / "rules.yaml", curation / "rules.yaml")
            (curation / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            if case == "endpoint down":
                (curation / "ai.yaml").write_text(
                    f"base_url: http://127.0.0.1:{closed_port()}/v1\nmodel: bench\n",
                    encoding="utf-8",
                )
            fetch = run_feedkb(curation, "fetch")
            times[case].append(fetch + run_build(curation, curation.parent / "site"))
    server.close()
    medians = {case: statistics.median(runs) for case, runs in times.items()}
    return {
        "sources": sources,
        **{case: [round(t, 2) for t in runs] for case, runs in times.items()},
        "ratio": round(medians["endpoint down"] / medians["without AI"], 3),
    }


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_feedkb(curation: Path, *args: str) -> float:
    """Seconds `feedkb ARGS` takes on ``curation``, in a new process as a curator runs it."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "feedkb", "--curation", str(curation), *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def run_build(curation: Path, site: Path) -> float:
    """Seconds `mkdocs build` of the repository's site takes on ``curation``."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
        cwd=REPO,
        env={**os.environ, "FEEDKB_CURATION": str(curation), "NO_MKDOCS_2_WARNING": "1"},
        check=True,
    )
    return time.perf_counter() - start


def home_bytes(site: Path) -> int:
    """What the home page costs before any search: its HTML and every stylesheet and script it
    loads, gzipped as a static host serves text (fonts and images: none; the theme's icons
    are inline)."""
    html = (site / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="((?:assets|stylesheets|javascripts)/[^"?#]+)', html)
    files = [site / "index.html", *(site / a for a in dict.fromkeys(assets))]
    return sum(len(gzip.compress(f.read_bytes())) for f in files if f.is_file())


def busiest_company_page(site: Path) -> str:
    """The company page with the most rows: the slowest a member can open."""
    pages = list(site.glob("companies/*/index.html"))
    if not pages:
        return "companies/"
    busiest = max(pages, key=lambda p: p.read_text(encoding="utf-8").count("<tr"))
    return busiest.parent.relative_to(site).as_posix() + "/"


def render_ms(site: Path, paths: dict[str, str], loads: int = 5) -> dict[str, float]:
    """Milliseconds from navigation to the load event (the theme lays the page out before
    it), the median of ``loads`` cold loads in a fresh browser context each."""
    timings: dict[str, float] = {}
    with served_in_chromium(site) as (browser, base):
        for name, path in paths.items():
            samples = []
            for _ in range(loads):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(base + path, wait_until="load")
                samples.append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                )
                context.close()
            timings[name] = round(statistics.median(samples))
    return timings


# --- fetch, parse, store ------------------------------------------------------------------

BODY_SENTENCE = "<p>{s}</p>"
LARGE_BODY_CHARS, SMALL_BODY_CHARS = 3000, 300
# The fetch benchmark's two universes (#13): many feeds of abstracts, more feeds of articles.
FEED_UNIVERSES = {"small": (300, SMALL_BODY_CHARS), "large": (500, LARGE_BODY_CHARS)}
LOADER_SOURCES = 2000


def synthetic_feed(
    source: int, count: int, rng: random.Random, body_chars: int = LARGE_BODY_CHARS
) -> bytes:
    """An RSS document of ``count`` items whose HTML bodies are ``body_chars`` long: ~3,000
    as news sites that send whole articles, ~300 as those that send an abstract."""
    items = synthetic_items(count, sources=1, seed=source)
    parts = []
    for n, item in enumerate(items):
        body = "".join(BODY_SENTENCE.format(s=rng.choice(SENTENCES)) for _ in range(40))
        body = body[:body_chars]
        parts.append(
            f"<item><title>{item.title}</title><link>https://e{source}.example.com/{n}</link>"
            f"<guid>e{source}-{n}</guid><pubDate>Mon, 23 Nov 2026 {n % 24:02d}:00:00 GMT</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>来源{source}</title><link>https://e{source}.example.com/</link>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


class FeedServer:
    """Serves generated feeds from 127.0.0.1 with a fixed latency per response and ETag/304.

    One asyncio loop in a thread, so waiting out the latency costs the server nothing and the
    fetch, not the server, is what gets measured (a thread per connection would compete with
    the fetch for the two cores).
    """

    def __init__(self, feeds: dict[str, bytes], latency: float) -> None:
        self.feeds, self.latency, self.bytes_sent = feeds, latency, 0
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait()
        self.base = f"http://127.0.0.1:{self.port}/"

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=1024)
        )
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            while request := await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(self.latency)
                writer.write(self._response(request.decode("latin-1")))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _response(self, request: str) -> bytes:
        lines = request.split("\r\n")
        path = lines[0].split(" ")[1].lstrip("/")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        body = self.feeds.get(path)
        if body is None:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        etag = f'"{len(body)}"'
        if headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
        self.bytes_sent += len(body)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nETag: {etag}\r\n\r\n"
        )
        return head.encode() + body

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def compile_package() -> None:
    """Bytecode for feedkb's modules, as installing it writes: an editable install run with
    PYTHONDONTWRITEBYTECODE would compile every module again at every start (0.15 s)."""
    compileall.compile_dir(Path(feedkb.__file__).parent, quiet=1)


def startup_seconds() -> float:
    """What any `feedkb` command pays before it does anything: `feedkb --version`."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "feedkb", "--version"], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def feedparser_seconds(bodies: list[bytes]) -> float:
    """feedparser's own time to parse ``bodies``, one after another."""
    import feedparser

    start = time.perf_counter()
    for body in bodies:
        feedparser.parse(body)
    return time.perf_counter() - start


def bench_fetch(
    sources: int, body_chars: int, latency: float, concurrency: int, work: Path, per_feed: int = 30
) -> dict:
    """`feedkb fetch` into a new store, then again with every feed unchanged (304), each
    against its ideal: the network bound (sources x latency / concurrency) or feedparser's
    own parse time over the cores, whichever is longer, plus start-up; an unchanged run's
    ideal is the network bound plus start-up. And against a sequential
    feedparser.parse(url) loop, timed on 21 feeds and scaled."""
    import feedparser

    rng = random.Random(3)
    feeds = {f"f{n}.xml": synthetic_feed(n, per_feed, rng, body_chars) for n in range(sources)}
    server = FeedServer(feeds, latency)
    lines = ["sources:"] + [
        f"  - id: f{n}\n    title: 来源{n}\n    url: {server.base}f{n}.xml" for n in range(sources)
    ]
    bodies = list(feeds.values())
    # Each run into a new store: the medians of three, since two cores shared with whatever
    # else the machine does make single runs vary by a tenth. The ideal's parts are measured
    # between the runs (start-up each time, a third of feedparser's parse each time), so the
    # load of the moment weighs on both sides alike.
    startups, parse_total, sequential_total, firsts, seconds = [], 0.0, 0.0, [], []
    subset = min(21, sources)  # feeds the sequential loop is timed on
    for run in range(FETCH_RUNS):
        startups.append(startup_seconds())
        parse_total += feedparser_seconds(bodies[run::FETCH_RUNS])
        start = time.perf_counter()
        for n in range(run, subset, FETCH_RUNS):
            feedparser.parse(f"{server.base}f{n}.xml")
        sequential_total += time.perf_counter() - start
        curation = work / f"fetch-{sources}-{body_chars}-{run}" / "curation"
        curation.mkdir(parents=True)
        shutil.copy(REPO / "curation" / "rules.yaml", curation / "rules.yaml")
        (curation / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        firsts.append(run_feedkb(curation, "fetch", "--concurrency", str(concurrency)))
        sent_before = server.bytes_sent
        seconds.append(run_feedkb(curation, "fetch", "--concurrency", str(concurrency)))
        sent_second = server.bytes_sent - sent_before
    first, second = statistics.median(firsts), statistics.median(seconds)
    startup = statistics.median(startups)
    cores = os.cpu_count() or 1
    network_bound = sources * latency / concurrency
    ideal = max(network_bound, parse_total / cores) + startup
    unchanged_ideal = network_bound + startup
    sequential = sequential_total * sources / subset
    server.close()
    return {
        "sources": sources,
        "items_per_feed": per_feed,
        "latency_s": latency,
        "concurrency": concurrency,
        "feed_kb": round(sum(map(len, feeds.values())) / sources / 1024),
        "seconds": round(first, 2),
        "runs_seconds": [round(t, 2) for t in firsts],
        "ideal_seconds": round(ideal, 2),
        "vs_ideal": round(first / ideal, 2),
        "network_bound_s": round(network_bound, 2),
        "feedparser_parse_s": round(parse_total, 2),
        "cores": cores,
        "startup_s": round(startup, 2),
        "sequential_feedparser_s": round(sequential, 1),
        "speedup_vs_sequential": round(sequential / first, 1),
        "unchanged_seconds": round(second, 2),
        "unchanged_runs_seconds": [round(t, 2) for t in seconds],
        "unchanged_ideal_seconds": round(unchanged_ideal, 2),
        "unchanged_vs_ideal": round(second / unchanged_ideal, 2),
        "unchanged_bytes": sent_second,
    }


def bench_loader(count: int, work: Path) -> dict:
    """Loading ``count`` sources from sources.yaml as every command does (the median of five),
    and, once, with ruamel's round-trip loader that an edit uses."""
    folder = work / f"loader-{count}"
    folder.mkdir()
    (folder / "sources.yaml").write_text(
        "# The curator's feeds\nsources:\n"
        + "".join(
            f"  - id: s{n}\n    title: 来源 {n}\n    url: https://e{n}.example.com/feed\n"
            f"    homepage: https://e{n}.example.com/\n    values: [news, deal]\n"
            f"    tags: [cn, tech]  # why it is here\n    enabled: true\n"
            for n in range(count)
        ),
        encoding="utf-8",
    )
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        loaded = len(SourceList.load(folder).sources)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    load_yaml(folder / "sources.yaml")
    return {
        "sources": loaded,
        "seconds": round(statistics.median(runs), 3),
        "runs_seconds": [round(t, 3) for t in runs],
        "round_trip_seconds": round(time.perf_counter() - start, 2),
    }


def bench_parse(per_feed: int, feeds: int = 40) -> dict:
    """parse + normalise, against feedparser's own parse of the same bytes."""
    import feedparser

    from feedkb.parse import parse_feed

    rng = random.Random(5)
    bodies = [synthetic_feed(n, per_feed, rng) for n in range(feeds)]
    start = time.perf_counter()
    for body in bodies:
        feedparser.parse(body)
    own = time.perf_counter() - start
    now = datetime.now(UTC)
    start = time.perf_counter()
    items = sum(len(parse_feed(body, "s", now).entries) for body in bodies)
    ours = time.perf_counter() - start
    return {
        "items": items,
        "feedparser_s": round(own, 2),
        "parse_normalise_s": round(ours, 2),
        "items_per_second": round(items / ours),
        "overhead": round(ours / own - 1, 2),
    }


def bench_store_load(count: int, work: Path) -> dict:
    curation = work / f"store-{count}"
    write_store(curation, count)
    start = time.perf_counter()
    loaded = len(Store(curation).load_items())
    return {"items": loaded, "seconds": round(time.perf_counter() - start, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: under two minutes")
    parser.add_argument("--items", type=int, help="items for tagging and store loading")
    parser.add_argument(
        "--sources", type=int, help="sources of each fetch universe (default: 300 small, 500 large)"
    )
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per response")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--site", help="comma-separated store sizes to build")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--only", help=f"comma-separated stages to run, of {', '.join(STAGES)} (default: all)"
    )
    args = parser.parse_args()
    stages = args.only.split(",") if args.only else list(STAGES)
    if unknown := set(stages) - set(STAGES):
        parser.error(f"unknown stage(s) {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
    items = args.items or (20_000 if args.quick else 100_000)
    universes = {
        name: (args.sources or (100 if args.quick else sources), body_chars)
        for name, (sources, body_chars) in FEED_UNIVERSES.items()
    }
    site_sizes = args.site if args.site is not None else ("2000" if args.quick else "2000,20000")
    figures: dict = {}
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        if "fetch" in stages:
            compile_package()
            figures["fetch"] = {
                name: bench_fetch(sources, body_chars, args.latency, args.concurrency, work)
                for name, (sources, body_chars) in universes.items()
            }
        if "loader" in stages:
            figures["loader"] = bench_loader(LOADER_SOURCES, work)
        if "parse" in stages:
            figures["parse"] = bench_parse(30)
        if "tagging" in stages:
            figures["tagging"] = bench_tagging(items)
        if "training" in stages:
            figures["training"] = bench_training(5_000)
        if "store" in stages:
            figures["store_load"] = bench_store_load(items, work)
        if "site" in stages:
            figures["site"] = [bench_site(int(n), work) for n in site_sizes.split(",") if n]
        if "ai" in stages:
            figures["ai"] = bench_ai(work, 100, 10, 1) if args.quick else bench_ai(work)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


def fetch_rows(name: str, f: dict) -> list[tuple[str, str, str]]:
    """A fetch universe's rows: the first fetch against its ideal and the sequential loop,
    then the unchanged run against its ideal."""
    parse_over_cores = f["feedparser_parse_s"] / f["cores"]
    return [
        (
            f"fetch {f['sources']} {name} feeds x {f['items_per_feed']} items "
            f"({f['feed_kb']} KB), {f['latency_s']} s latency, concurrency {f['concurrency']}",
            f"{f['seconds']} s (median of {', '.join(map(str, f['runs_seconds']))}) = "
            f"**{f['vs_ideal']} x ideal** ({f['ideal_seconds']} s: network "
            f"{f['network_bound_s']} s, feedparser's parse over {f['cores']} cores "
            f"{parse_over_cores:.2f} s, start-up {f['startup_s']} s); "
            f"**{f['speedup_vs_sequential']} x** faster than sequential feedparser.parse(url) "
            f"({f['sequential_feedparser_s']} s)",
            "<= 1.3 x ideal; >= 20 x",
        ),
        (
            f"the same again, every feed unchanged (304), {name} feeds",
            f"{f['unchanged_seconds']} s (median of "
            f"{', '.join(map(str, f['unchanged_runs_seconds']))}) = "
            f"**{f['unchanged_vs_ideal']} x ideal** ({f['unchanged_ideal_seconds']} s: network "
            f"+ start-up); {f['unchanged_bytes']:,} bytes of feeds sent",
            "<= 1.3 x ideal",
        ),
    ]


def print_table(figures: dict) -> None:
    rows = []
    for name, f in figures.get("fetch", {}).items():
        rows += fetch_rows(name, f)
    if loader := figures.get("loader"):
        rows.append(
            (
                f"load {loader['sources']:,} sources (sources.yaml, validated)",
                f"{loader['seconds']} s (median of {', '.join(map(str, loader['runs_seconds']))});"
                f" {loader['round_trip_seconds']} s with the round-trip loader edits use",
                "<= 0.2 s",
            )
        )
    if p := figures.get("parse"):
        rows.append(
            (
                "parse + normalise",
                f"{p['items_per_second']:,} items/s; {p['overhead']:+.0%} against "
                f"feedparser alone ({p['parse_normalise_s']} s vs {p['feedparser_s']} s)",
                "<= +30%",
            )
        )
    if t := figures.get("tagging"):
        rows.append(
            (
                "tag + extract + group",
                f"{t['one_core']['items_per_second']:,} items/s on one core, "
                f"{t['all_cores']['items_per_second']:,} on all ({t['items']:,} items; median "
                f"of {', '.join(map(str, t['one_core']['runs_seconds']))} s and "
                f"{', '.join(map(str, t['all_cores']['runs_seconds']))} s)",
                ">= 10,000 items/s on one core with the model (#12)",
            )
        )
        rules_only = t["rules_only"]
        rows.append(
            (
                "the same without the model (rules alone), one core",
                f"{rules_only['items_per_second']:,} items/s; peak memory "
                f"{rules_only['peak_rss_mb']} MB against {t['one_core']['peak_rss_mb']} MB with "
                f"the model (+{t['one_core']['peak_rss_mb'] - rules_only['peak_rss_mb']} MB)",
                "the model adds <= 50 MB",
            )
        )
    if training := figures.get("training"):
        rows.append(
            (
                f"train on {training['examples']:,} labelled items (cross-validation and fit)",
                f"{training['seconds']} s, {training['ngrams_kept']:,} n-grams kept",
                "<= 30 s",
            )
        )
    if load := figures.get("store_load"):
        rows.append(
            (
                "load the store",
                f"{load['seconds']} s for {load['items']:,} items",
                "<= 2 s for 100,000",
            )
        )
    for s in figures.get("site", []):
        rows.append(
            (
                f"mkdocs build + Pagefind, {s['items']:,} items ({s['pages']:,} pages)",
                f"{s['seconds']} s, {s['peak_rss_mb']} MB peak; first search "
                f"{s['search']['gzip_bytes'] / 1024:.0f} KB gzip "
                f"({s['search']['results']} results)",
                "20k: <= 30 s, <= 1 GB, <= 300 KB; 100k: <= 150 s, <= 600 KB",
            )
        )
        rendered = ", ".join(f"{name} {ms:.0f} ms" for name, ms in s["render_ms"].items())
        rows.append(
            (
                f"the site at {s['items']:,} items, in Chromium",
                f"home {s['home_gzip_bytes'] / 1024:.0f} KB gzip before any search; {rendered}",
                "home <= 300 KB; deals and company pages < 1000 ms",
            )
        )
    if ai := figures.get("ai"):
        rows += ai_rows(ai)
    print("| stage | measured | target |")
    print("|---|---|---|")
    for stage, measured, target in rows:
        print(f"| {stage} | {measured} | {target} |")


def ai_rows(ai: dict) -> list[tuple[str, str, str]]:
    down = ai["endpoint_down"]
    return [
        (
            f"`feedkb ai`: {ai['items']:,} items, {ai['latency_s'] * 1000:.0f} ms latency, "
            f"concurrency {ai['concurrency']}",
            f"{ai['backfill_seconds']} s = **{ai['vs_ideal']} x ideal** ({ai['ideal_seconds']} s: "
            f"{ai['items']:,} x {ai['latency_s']} / {ai['concurrency']} s plus "
            f"{ai['startup_seconds']} s, the same command with nothing left to ask)",
            "<= 1.3 x (#15)",
        ),
        (
            "requests after the backfill: the same command three times and a site build",
            f"**{ai['requests_after_backfill']}** (build {ai['rebuild_seconds']} s)",
            "0",
        ),
        (
            f"fetch + build, {down['sources']} feeds, AI endpoint down vs no AI configured",
            f"**{down['ratio']} x** (down: {', '.join(map(str, down['endpoint down']))} s; "
            f"without: {', '.join(map(str, down['without AI']))} s)",
            "<= 1.1 x",
        ),
    ]


if __name__ == "__main__":
    main()
