"""Canonical URLs, so the same story reached through URL variants is stored once."""

from urllib.parse import unquote_plus, urlsplit, urlunsplit

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
    return scheme, netloc, parts.path or "/", _kept_params(parts.query)


def _kept_params(query: str) -> list[str]:
    # Filter the raw "name=value" pieces so the kept ones keep their exact encoding.
    return [
        piece
        for piece in query.split("&")
        if piece and not _is_tracking(unquote_plus(piece.split("=", 1)[0]))
    ]
