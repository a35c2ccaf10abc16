"""The five value tags a community hands its members."""

VALUE_LABELS: dict[str, str] = {
    "news": "资讯价值",
    "think-tank": "智库价值",
    "lead": "获客价值",
    "deal": "FA价值",
    "resource": "资源价值",
}
VALUE_SLUGS: tuple[str, ...] = tuple(VALUE_LABELS)
