"""The members' site in Chromium, as a member opens it on a phone (390 px) and on a desktop
(1400 px): every kind of page lays out without sideways scrolling or squeezed columns, and
has no serious accessibility problem."""

from pathlib import Path

import pytest

from tests.sitecheck import (
    DESKTOP,
    PHONE,
    browser_on,
    layout_problems,
    serious_accessibility_violations,
)


def page_types(site: Path) -> dict[str, str]:
    """One page of every kind the site has, by kind: the path a member opens."""

    def first(pattern: str) -> str:
        found = sorted(site.glob(pattern))
        assert found, f"no page matches {pattern}"
        return found[0].parent.relative_to(site).as_posix() + "/"

    return {
        "home": "",
        "value": "values/news/",
        "value month": first("values/news/20*/index.html"),
        "archive": first("archive/20*/index.html"),
        "deals": "deals/",
        "deals month": first("deals/20*/index.html"),
        "companies": "companies/",
        "company": first("companies/[0-9a-f]*/index.html"),
        "sources": "sources/",
        "source": first("sources/demo-*/index.html"),
        "digests": "digests/",
        "digest": first("digests/20*/index.html"),
        "guide": "guide/",
    }


@pytest.fixture(scope="module")
def member(demo_kb: Path):
    with browser_on(demo_kb / "site") as browser:
        yield browser


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_type_lays_out_at_phone_and_desktop_width(member, width: int) -> None:
    member.page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for kind, path in page_types(member.site).items():
        member.page.goto(member.base + path)
        if problems := layout_problems(member.page):
            found[f"{kind} ({path})"] = problems[:5]
    assert not found, found
    assert not member.problems, member.problems


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_type_has_no_serious_accessibility_violation(member, width: int) -> None:
    member.page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for kind, path in page_types(member.site).items():
        member.page.goto(member.base + path)
        if serious := serious_accessibility_violations(member.page):
            found[f"{kind} ({path})"] = serious
    assert not found, found
