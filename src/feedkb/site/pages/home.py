"""The home page tells the week: counts as tiles, the latest digest's headlines, the latest
deals, pinned items and the newest of each value, as cards in a grid that fills a desktop and
is one column on a phone.

It grows with values, never with items: every section shows a few cards and links to where
the rest are.
"""

import re

from feedkb.digest import build_digest
from feedkb.kb import Entry
from feedkb.site.pages.base import EMPTY, WIDE, SiteBuilder, front_matter
from feedkb.site.pages.digests import digest_uri, digest_weeks, week_label
from feedkb.site.render import safe_url, text
from feedkb.values import VALUE_LABELS

URI = "index.md"
DEALS = "deals/index.md"
WEEK_HEADLINES = 3  # per value
LATEST_DEALS = 5
LETTERED_ROUND = re.compile(r"(Pre-)?[A-F]\+*")


def value_uri(slug: str) -> str:
    return f"values/{slug}/index.md"


def build_home(site: SiteBuilder) -> None:
    updated = max((s.last_success for s in site.states.values() if s.last_success), default=None)
    shown_time = site.time.minute(updated) if updated else "尚未抓取"
    by_value = {slug: [e for e in site.visible if slug in e.values] for slug in VALUE_LABELS}
    deals = [e for e in site.visible if e.deal]
    newest = site.settings.highlights_per_value
    pinned = [e for e in site.visible if e.pinned][:newest]
    panels = [
        week_panel(site),
        panel(
            site,
            "latest-deals",
            "最新融资与并购",
            deal_cards(site, deals),
            (DEALS, "全部融资与并购"),
        ),
        panel(site, "pinned", "置顶", site.cards(URI, pinned)),
        *(
            panel(
                site,
                slug,
                label,
                site.cards(URI, by_value[slug][:newest]),
                (value_uri(slug), f"更多{label}"),
            )
            for slug, label in VALUE_LABELS.items()
        ),
    ]
    site.pages[URI] = (
        front_matter("", WIDE)  # the site's description; the full width
        + "# 行业知识库\n\n"
        + f'<p class="fk-updated">共 {len(site.visible)} 条 · 最近更新：{shown_time}</p>\n'
        + tiles(site, by_value, deals)
        + '\n<div class="fk-home">\n'
        + "\n".join(panels)
        + "\n</div>\n"
    )


def tiles(site: SiteBuilder, by_value: dict[str, list[Entry]], deals: list[Entry]) -> str:
    """Each value's count, and the deals', as a tile leading to its page."""
    counted = [
        (slug, label, len(by_value[slug]), value_uri(slug)) for slug, label in VALUE_LABELS.items()
    ]
    counted.append(("deal", "融资与并购", len(deals), DEALS))  # in FA价值's colour
    return (
        '<nav class="fk-tiles" aria-label="分类">'
        + "".join(
            f'<a class="fk-tile fk-{slug}" href="{site.link(URI, target)}">'
            f'<span class="fk-tile__count">{count}</span>'
            f'<span class="fk-tile__label">{label}</span></a>'
            for slug, label, count, target in counted
        )
        + "</nav>"
    )


def panel(
    site: SiteBuilder, ident: str, title: str, body: str, more: tuple[str, str] | None = None
) -> str:
    """One section of the home page: a card holding cards, and a link to the rest."""
    link = (
        f'<p class="fk-more"><a href="{site.link(URI, more[0])}">{more[1]} →</a></p>'
        if more
        else ""
    )
    return (
        f'<section class="fk-panel fk-panel--{ident}" aria-labelledby="{ident}">'
        f'<h2 id="{ident}">{title}</h2>\n{body}\n{link}</section>'
    )


def week_panel(site: SiteBuilder) -> str:
    """The latest digest's best few items of each value."""
    weeks = digest_weeks(site)
    if not weeks:
        return panel(site, "week", "本期周报", EMPTY)
    digest = build_digest(site.kb, weeks[0], WEEK_HEADLINES, site.visible, site.time.day)
    groups = "".join(
        f'<div class="fk-week-group"><p class="fk-week-value">'
        f'<span class="fk-badge fk-{slug}">{VALUE_LABELS[slug]}</span></p>\n'
        f"{site.cards(URI, entries)}</div>"
        for slug, entries in digest.sections.items()
    )
    dates = f'<p class="fk-meta">{digest.start} 至 {digest.end}</p>'
    return panel(
        site,
        "week",
        f"本期周报 · {week_label(digest.week)}",
        f'{dates}\n<div class="fk-week">{groups}</div>',
        (digest_uri(digest.week), "阅读完整周报"),
    )


def deal_cards(site: SiteBuilder, deals: list[Entry]) -> str:
    """The latest deals at a glance: the company (to the original, as in the deals table),
    round, amount, date and source. A card is titled by its company: deals that name none
    are left to the deals page."""
    named = [(e, e.deal) for e in deals if e.deal and e.deal.company][:LATEST_DEALS]
    cards = []
    for entry, deal in named:
        amount = deal.amount.text if deal.amount else "金额未披露"
        facts = " · ".join(text(fact) for fact in (round_words(deal.round), amount) if fact)
        url = safe_url(entry.item.url)
        name = text(deal.company)
        cards.append(
            '<article class="fk-item fk-deal-card"><h3 class="fk-title">'
            + (f'<a href="{url}" rel="noopener nofollow">{name}</a>' if url else name)
            + f'</h3><p class="fk-deal-facts">{facts}</p>'
            f'<p class="fk-meta"><time datetime="{text(entry.item.published)}">'
            f"{site.time.day(entry.item.published)}</time> · {text(site.kb.source_title(entry))}"
            f"</p></article>"
        )
    return "\n".join(cards) or EMPTY


def round_words(round_: str | None) -> str:
    """A lettered round as it is said: C轮, Pre-A轮; named ones (天使, IPO, 并购) as they are."""
    return f"{round_}轮" if round_ and LETTERED_ROUND.fullmatch(round_) else round_ or ""
