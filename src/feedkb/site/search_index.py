"""The site's search index: written once into a staging folder inside the built site, checked
whole, then moved into place as ``pagefind/``.

Pagefind indexes one page per archive page, as before, but not the page members read: a copy
holding only its items' words, the Chinese ones as tokens (search_records.py), each item's
start and text marked by an anchor. Beside Pagefind's files, in ``pagefind/feedkb/``, goes what
makes results, filters and order per item: where each item lies among its page's words (from
the anchors Pagefind reports), each item's filter values, and what a result shows (title, day,
source, values, text, the AI takeaway) in small files of BUCKET items. The browser (search.js)
asks Pagefind for each piece of the query, turns the word positions it returns into items, and
ranks, filters, counts and orders those itself.

Why not one Pagefind record per item, which would filter, sort and count by itself: Pagefind's
build holds about 130 KB per record (2.4 GB for 20,000 items), and its meta file, which every
first search loads whole, grows by 8 bytes per record (155 KB at 20,000).

Nothing here depends on the site generator: it indexes HTML files on disk, so any engine (or a
later export to another one) can publish the same search.
"""

import asyncio
import gzip
import hashlib
import shutil
import tempfile
import time
import zlib
from pathlib import Path

import cbor2
import orjson
from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from feedkb.site.search_records import Card, read_cards, search_page, start_anchor, text_anchor

BUNDLE = "pagefind"
STAGING = ".pagefind-staging"
# The archive's pages: the canonical place of every item.
ARCHIVE_PAGES = "archive/**/*.html"
# The index's language: not Chinese, whose segmenter would cut the tokens up again.
LANGUAGE = "und"
ENTRY = "pagefind-entry.json"
# feedkb's part of the bundle: entry.json names the build folder beside it.
ITEMS = "feedkb"
ITEMS_ENTRY = f"{ITEMS}/entry.json"
BUCKET = 10  # items per file of what results show
TEXT_LIMIT = 1000  # characters of an item's text kept for its snippet
# Pagefind gzips its index files and the search WebAssembly; each starts with this once unzipped.
SIGNATURE = b"pagefind_dcd"
COMPRESSED = frozenset({".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind"})
# Pagefind's last writes land milliseconds after it answers; this is for a machine under load.
WHOLE_WITHIN = 60.0


class SearchIndexError(Exception):
    """The search index Pagefind wrote is not whole; the message names the file."""


def build_search_index(site_dir: Path) -> int:
    """Index the items on the built archive pages of ``site_dir`` into ``site_dir/pagefind``;
    returns the archive pages indexed. An index that is not whole raises SearchIndexError and
    is not published."""
    staging = site_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # left by a build that was killed
    try:
        pages = archive_cards(site_dir)
        with tempfile.TemporaryDirectory(prefix="feedkb-search-") as scratch:
            for url, cards in pages.items():
                target = Path(scratch) / _page_file(url)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(search_page(cards), encoding="utf-8")
            asyncio.run(_write_index(Path(scratch), staging))
        write_items(staging, pages)
        count = verify_index(staging, items=True)
        _publish(staging, site_dir / BUNDLE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def archive_cards(site_dir: Path) -> dict[str, list[Card]]:
    """The canonical cards of every archive page of ``site_dir``, by the page's URL (relative
    to the site's root, as the site links it); pages without cards are left out."""
    pages = {}
    for page in sorted(site_dir.glob(ARCHIVE_PAGES)):
        relative = page.relative_to(site_dir).as_posix()
        url = relative.removesuffix("index.html")
        cards = read_cards(page.read_text(encoding="utf-8"), url)
        if cards:
            pages[url] = cards
    return pages


def _page_file(url: str) -> str:
    return url + "index.html" if url.endswith("/") or not url else url


async def _write_index(pages: Path, staging: Path) -> int:
    config = IndexConfig(force_language=LANGUAGE, output_path=str(staging))
    # Not PagefindIndex's own context manager: leaving it writes every file a second time and
    # stops Pagefind at once, which cut files short (once an empty pagefind-entry.json).
    async with PagefindService() as service:
        index = await service.create_index(config)
        await index.add_directory(str(pages))
        await index.write_files()
        return await _until_whole(staging)


def write_items(bundle: Path, pages: dict[str, list[Card]]) -> None:
    """feedkb's part of the bundle: where each item lies on its indexed page, its filter
    values, and what its result shows. Items are numbered oldest first, so newest first is
    simply the highest number first."""
    ordered = sorted(
        (c for cards in pages.values() for c in cards), key=lambda c: (c.published, c.id)
    )
    number = {c.id: n for n, c in enumerate(ordered)}
    layout, indexed = {}, set()
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = _json(fragment, _unzip(fragment, _read(fragment)))
        url = data["url"].lstrip("/")
        url = url if url in pages else url.removesuffix("index.html")
        if url in pages:
            layout[fragment.stem] = _layout(fragment, data, pages[url], number)
            indexed.add(url)
    if missing := sorted(set(pages) - indexed):
        raise SearchIndexError(f"{bundle / 'fragment'}: no indexed page for {missing[:3]}")
    keys = sorted({key for c in ordered for key in c.filters})
    names = {key: sorted({v for c in ordered for v in c.filters.get(key, [])}) for key in keys}
    filters = {
        key: {
            "names": names[key],
            "of": [[names[key].index(v) for v in c.filters.get(key, [])] for c in ordered],
        }
        for key in keys
    }
    shown = [
        {
            "t": c.title,
            "u": c.href,
            "d": c.day,
            "f": {key: c.filters[key] for key in ("source", "value") if key in c.filters},
            "x": c.text[:TEXT_LIMIT],
            # the AI takeaway, only where there is one: most items have none
            **({"k": c.meta["takeaway"]} if c.meta.get("takeaway") else {}),
        }
        for c in ordered
    ]
    files = {"pages.json": _dump({"items": len(ordered), "pages": layout})}
    files["filters.json"] = _dump(filters)
    for start in range(0, len(shown), BUCKET):
        files[f"b{start // BUCKET}.json"] = _dump(shown[start : start + BUCKET])
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name])
    build = digest.hexdigest()[:12]
    folder = bundle / ITEMS / build
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    entry = {"build": build, "items": len(ordered), "bucket": BUCKET}
    (bundle / ITEMS_ENTRY).write_bytes(_dump(entry))


def _layout(fragment: Path, data: dict, cards: list[Card], number: dict[str, int]) -> list:
    """One indexed page's items: [[first item number, how many], ...] (runs of consecutive
    numbers, in page order), the word position where the first starts, then each item's
    length in words and the length of its weighted start (title and companies)."""
    anchors = {a["id"]: a["location"] for a in data.get("anchors", [])}
    try:
        starts = [anchors[start_anchor(c)] for c in cards]
    except KeyError as exc:
        raise SearchIndexError(f"{fragment}: no anchor for item {exc}") from None
    ends = [*starts[1:], data["word_count"]]
    runs: list[list[int]] = []
    for card in cards:
        n = number[card.id]
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1][1] += 1
        else:
            runs.append([n, 1])
    lengths = [end - start for start, end in zip(starts, ends, strict=True)]
    weighted = [
        min(anchors.get(text_anchor(c), end), end) - start
        for c, start, end in zip(cards, starts, ends, strict=True)
    ]
    return [runs, starts[0], lengths, weighted]


def _dump(value: object) -> bytes:
    return orjson.dumps(value)


async def _until_whole(bundle: Path) -> int:
    """Pagefind answers "written" while its last writes still wait in its worker threads, and
    stopping it drops them: wait, with Pagefind still running, until every file is whole."""
    deadline = time.monotonic() + WHOLE_WITHIN
    while True:
        try:
            return verify_index(bundle)
        except SearchIndexError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)


def _publish(staging: Path, bundle: Path) -> None:
    shutil.rmtree(bundle, ignore_errors=True)  # a `serve --dirty` rebuild keeps the old one
    staging.rename(bundle)


def verify_index(bundle: Path, items: bool = False) -> int:
    """Check that a Pagefind bundle is whole: every file its entry and meta files name exists,
    and every file feedkb's entry names (required with ``items``, else when there is one), no
    file is empty, every compressed file unzips to its end and every JSON parses. Returns the
    pages indexed; raises SearchIndexError naming the first broken file."""
    entry_path = bundle / ENTRY
    entry = _json(entry_path, _read(entry_path))
    pages = 0
    try:
        for language in entry["languages"].values():
            _check_named(bundle, language)
            pages += language["page_count"]
    except (AttributeError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"{entry_path}: not a Pagefind entry file ({exc!r})") from None
    if items or (bundle / ITEMS_ENTRY).exists():
        _check_items(bundle)
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        _check_file(path)
    return pages


def _check_items(bundle: Path) -> None:
    """The files feedkb's entry names: the build folder's pages, filters and result files."""
    entry_path = bundle / ITEMS_ENTRY
    entry = _json(entry_path, _read(entry_path))
    try:
        folder = bundle / ITEMS / entry["build"]
        files = ["pages.json", "filters.json"]
        files += [f"b{n}.json" for n in range(-(-entry["items"] // entry["bucket"]))]
    except (KeyError, TypeError, ZeroDivisionError) as exc:
        raise SearchIndexError(f"{entry_path}: not a feedkb search entry ({exc!r})") from None
    _require([folder / name for name in files], entry_path.name)


def _check_named(bundle: Path, language: dict) -> None:
    """The files one language of the entry file names, and those its meta file names."""
    meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
    named = [meta_path]
    if language["wasm"]:
        named.append(bundle / f"wasm.{language['wasm']}.pagefind")
    _require(named, ENTRY)
    meta = _cbor(meta_path, _unzip(meta_path, _read(meta_path)))
    try:
        _version, meta_pages, chunks, filters = meta[:4]
        named = [bundle / "fragment" / f"{page[0]}.pf_fragment" for page in meta_pages]
        named += [bundle / "index" / f"{chunk[2]}.pf_index" for chunk in chunks]
        named += [bundle / "filter" / f"{item[1]}.pf_filter" for item in filters]
    except (IndexError, TypeError, ValueError) as exc:
        raise SearchIndexError(f"{meta_path}: not a Pagefind meta file ({exc!r})") from None
    _require(named, meta_path.name)


def _require(paths: list[Path], named_by: str) -> None:
    for path in paths:
        if not path.is_file():
            raise SearchIndexError(f"{path}: missing, though {named_by} names it")


def _check_file(path: Path) -> None:
    data = _read(path)
    if path.suffix in COMPRESSED:
        data = _unzip(path, data)
    if path.suffix in (".json", ".pf_fragment"):
        _json(path, data)


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SearchIndexError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data:
        raise SearchIndexError(f"{path}: empty")
    return data


def _unzip(path: Path, data: bytes) -> bytes:
    """The file's content after Pagefind's signature; a file cut short fails gzip's check."""
    try:
        content = gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise SearchIndexError(f"{path}: cut short or corrupt ({exc})") from None
    if not content.startswith(SIGNATURE):
        raise SearchIndexError(f"{path}: not a Pagefind file (no {SIGNATURE.decode()} signature)")
    return content.removeprefix(SIGNATURE)


def _json(path: Path, data: bytes) -> dict:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SearchIndexError(f"{path}: not valid JSON ({exc})") from None


def _cbor(path: Path, data: bytes) -> list:
    try:
        return cbor2.loads(data)
    except cbor2.CBORDecodeError as exc:
        raise SearchIndexError(f"{path}: cannot be decoded ({exc})") from None
