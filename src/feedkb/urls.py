"""Canonical URLs, so the same story reached through URL variants is stored once."""

from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

# Query parameters that track the reader rather than name the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "spm",
        "scm",
        "from",
        "source",
        "share_token",
        "share_source",
        "sharer_shareinfo",
        "sharer_shareinfo_first",
        "ref",
        "ref_src",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "wt.mc_id",
        "xtor",
        "isappinstalled",
        "wxshare_count",
        "clicktime",
        "enterid",
        "sessionid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
DEFAULT_PORTS = {"http": 80, "https": 443}
# A WeChat official-account article (mp.weixin.qq.com/s?...) is named by its account, message,
# place in the message and signature; every other parameter says who shared it and how.
# Older links call the message appmsgid and the place itemidx.
WECHAT_HOST = "mp.weixin.qq.com"
WECHAT_ARTICLE_PARAMS = ("__biz", "mid", "idx", "sn")
WECHAT_OLD_NAMES = {"appmsgid": "mid", "itemidx": "idx"}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """``url`` with scheme and host lower-cased, default port, fragment and tracking removed.

    Returns "" for anything that is not an absolute http(s) URL: such links are never kept.
    """
    parts = _canonical_parts(url)
    if parts is None:
        return ""
    scheme, netloc, path, params = parts
    return urlunsplit((scheme, netloc, path, "&".join(params), ""))


def url_key(url: str) -> str:
    """The identity of a page: its canonical URL without scheme, ``www.``, trailing slash,
    and with query parameters sorted; http and https variants of a page share one key."""
    parts = _canonical_parts(url)
    if parts is None:
        return ""
    _scheme, netloc, path, params = parts
    host, path = netloc.removeprefix("www."), path.rstrip("/")
    return f"{host}{path}?{'&'.join(sorted(params))}" if params else f"{host}{path}"


def _canonical_parts(url: str) -> tuple[str, str, str, list[str]] | None:
    """Scheme, host[:port], path and kept query parameters of a canonical URL; None when
    ``url`` is not an absolute http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if netloc == WECHAT_HOST:
        article_params = _wechat_article_params(parts.path, parts.query)
        if article_params is not None:
            return "https", netloc, parts.path, article_params
    return scheme, netloc, parts.path or "/", _kept_params(parts.query)


def _kept_params(query: str) -> list[str]:
    # Filter the raw "name=value" pieces so the kept ones keep their exact encoding.
    return [
        piece
        for piece in query.split("&")
        if piece and not _is_tracking(unquote_plus(piece.split("=", 1)[0]))
    ]


def _wechat_article_params(path: str, query: str) -> list[str] | None:
    """The parameters that name a WeChat article, in their usual order; None when ``path``
    and ``query`` are not an article link's (a temporary link's signature names it)."""
    if path.startswith("/s/"):
        return []  # a short link: the path is the article
    if path != "/s":
        return None
    values: dict[str, str] = {}
    for piece in query.split("&"):
        name, _, value = piece.partition("=")
        name = WECHAT_OLD_NAMES.get(name, name)
        if name in WECHAT_ARTICLE_PARAMS and value:
            # __biz is base64 whose "=" some shares percent-encode: one spelling for both.
            values.setdefault(name, quote(unquote(value), safe="=+/"))
    if "__biz" not in values:
        return None
    return [f"{name}={values[name]}" for name in WECHAT_ARTICLE_PARAMS if name in values]
