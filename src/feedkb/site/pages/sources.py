"""来源: each source's health and newest items."""

from urllib.parse import urlsplit

from feedkb.site.pages.base import SiteBuilder, front_matter
from feedkb.site.render import safe_url, text
from feedkb.sources import Source
from feedkb.store import SourceState

# The fetcher words its errors for curators, in English; members read what kind of trouble
# it is. The curator's report (`feedkb sources list`) keeps the exact message.
ERROR_KINDS = (
    (("timed out", "gave up after", "took longer"), "超时"),
    (("redirect",), "跳转出错"),
    (("larger than",), "内容过大"),
    (("pars", "feed", "xml", "decode", "decompress"), "内容无法解析"),
    (("cannot read",), "无法读取"),
)


def error_in_words(state: SourceState) -> str:
    """The source's last error as members read it: its kind, with the HTTP status if any."""
    if not state.last_error:
        return ""
    status = state.last_status if (state.last_status or "").isdigit() else None
    if status == "410":
        return "来源已停止（HTTP 410）"
    if status and int(status) >= 400:
        return f"服务器拒绝（HTTP {status}）"
    message = state.last_error.lower()
    for words, kind in ERROR_KINDS:
        if any(word in message for word in words):
            return kind
    return "无法连接"


def _route_line(source: Source, state: SourceState) -> str:
    """Where an RSSHub route is read: its route and the instance that served it last."""
    if not source.rsshub:
        return ""
    served = f" · 实例：{text(urlsplit(state.instance).netloc)}" if state.instance else ""
    return f"<p>RSSHub 路由：<code>{text(source.rsshub)}</code>{served}</p>\n\n"


def build_sources(site: SiteBuilder) -> None:
    rows = []
    for source in site.kb.sources.values():
        state = site.states.get(source.id, SourceState())
        uri = f"sources/{source.id}.md"
        health = "失败" if state.failing else "正常" if state.last_success else "未抓取"
        last_success = site.time.minute(state.last_success) if state.last_success else "—"
        error = error_in_words(state)
        if state.moved_to:
            error = f"已永久迁移至 {state.moved_to}；{error}".rstrip("；")
        rows.append(
            f'<tr><td><a href="{site.link("sources/index.md", uri)}">{text(source.title)}'
            f"</a></td><td>{health}</td><td>{last_success}</td>"
            f"<td>{state.consecutive_failures}</td><td>{text(error) or '—'}</td>"
            f"<td>{state.item_count}</td></tr>"
        )
        entries = [e for e in site.visible if e.item.source == source.id]
        homepage = safe_url(source.homepage or "")
        site.pages[uri] = (
            front_matter(f"来源「{source.title}」的抓取状况与最新条目。")
            + f"# {text(source.title)}\n\n"
            + (
                f'<p><a href="{homepage}" rel="noopener nofollow">{homepage}</a></p>\n\n'
                if homepage
                else ""
            )
            + _route_line(source, state)
            + f"<p>状态：{health} · 最近成功：{last_success} · "
            f"连续失败：{state.consecutive_failures} · 条目：{len(entries)}</p>\n\n"
            + (f'<p class="fk-error">最近错误：{text(error)}</p>\n\n' if error else "")
            + "<h2>最新条目</h2>\n\n"
            + site.cards(uri, entries[: site.settings.items_per_page])
            + "\n"
        )
    table = (
        '<table class="fk-sources"><thead><tr><th scope="col">来源</th>'
        '<th scope="col">状态</th><th scope="col">最近成功</th><th scope="col">连续失败</th>'
        '<th scope="col">最近错误</th><th scope="col">条目</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    site.pages["sources/index.md"] = (
        front_matter("每个来源的抓取健康状况与条目数。")
        + "# 来源\n\n<p>每个来源的抓取健康状况。连续失败 3 次或返回 410 即标为失败。</p>\n\n"
        + (table if rows else '<p class="fk-empty">暂无来源</p>')
        + "\n"
    )
