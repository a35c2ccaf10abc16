"""The site's Pagefind search index: written once into a staging folder inside the built site,
checked whole, then moved into place as ``pagefind/``.

Nothing here depends on the site generator: it indexes HTML files on disk, so any engine (or a
later export to another one) can publish the same search.
"""

import asyncio
import gzip
import shutil
import time
import zlib
from pathlib import Path

import cbor2
import orjson
from pagefind.index import IndexConfig
from pagefind.service import PagefindService

BUNDLE = "pagefind"
STAGING = ".pagefind-staging"
# The archive's pages, the ones the plugin marks data-pagefind-body.
ARCHIVE_PAGES = "archive/*/index.html"
ENTRY = "pagefind-entry.json"
# Pagefind gzips its index files and the search WebAssembly; each starts with this once unzipped.
SIGNATURE = b"pagefind_dcd"
COMPRESSED = frozenset({".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind"})
# Pagefind's last writes land milliseconds after it answers; this is for a machine under load.
WHOLE_WITHIN = 60.0


class SearchIndexError(Exception):
    """The search index Pagefind wrote is not whole; the message names the file."""


def build_search_index(site_dir: Path) -> int:
    """Index the built archive pages of ``site_dir`` (Pagefind's extended build segments
    Chinese) into ``site_dir/pagefind``; returns the pages indexed. An index that is not
    whole raises SearchIndexError and is not published."""
    staging = site_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # left by a build that was killed
    try:
        pages = asyncio.run(_write_index(site_dir, staging))
        _publish(staging, site_dir / BUNDLE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return pages


async def _write_index(site_dir: Path, staging: Path) -> int:
    config = IndexConfig(force_language="zh", output_path=str(staging))
    # Not PagefindIndex's own context manager: leaving it writes every file a second time and
    # stops Pagefind at once, which cut files short (once an empty pagefind-entry.json).
    async with PagefindService() as service:
        index = await service.create_index(config)
        await index.add_directory(str(site_dir), glob=ARCHIVE_PAGES)
        await index.write_files()
        return await _until_whole(staging)


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


def verify_index(bundle: Path) -> int:
    """Check that a Pagefind bundle is whole: every file its entry and meta files name exists,
    no file is empty, every compressed file unzips to its end and every JSON parses. Returns
    the pages indexed; raises SearchIndexError naming the first broken file."""
    entry_path = bundle / ENTRY
    entry = _json(entry_path, _read(entry_path))
    pages = 0
    try:
        for language in entry["languages"].values():
            _check_named(bundle, language)
            pages += language["page_count"]
    except (AttributeError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"{entry_path}: not a Pagefind entry file ({exc!r})") from None
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        _check_file(path)
    return pages


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
