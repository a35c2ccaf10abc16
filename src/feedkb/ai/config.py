"""``curation/ai.yaml``: which model endpoint judges items, how the judgments count, and what a
run may spend. Without the file feedkb asks no model and tags as it always has.

    base_url: http://127.0.0.1:11434/v1   # any OpenAI-compatible chat-completions endpoint
    model: qwen2.5:7b
    api_key_env: FEEDKB_AI_KEY             # the key is read from this variable, never a file
    mode: fill                             # replace | fill | review
    concurrency: 4
    timeout: 30                            # seconds per request
    retries: 3                             # network errors, 429 and 5xx
    max_items: 200                         # per run
    max_tokens: 200000                     # per run, prompt and answer
    max_seconds: 600                       # per run: no new request after this
    on_fetch: true                         # `feedkb fetch` asks about the items it stored
"""

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedkb.errors import ConfigError, Problem
from feedkb.yamlfile import line_of, read_yaml, top_mapping

AI_FILE = "ai.yaml"
MODES = ("replace", "fill", "review")
SECRET_KEYS = ("api_key", "key", "token", "authorization")


@dataclass(frozen=True)
class AiConfig:
    base_url: str
    model: str
    api_key_env: str = ""
    mode: str = "fill"
    concurrency: int = 4
    timeout: float = 30.0
    retries: int = 3
    max_items: int = 200
    max_tokens: int = 200_000
    max_seconds: float = 600.0
    on_fetch: bool = True
    path: Path | None = None  # the file it was read from, for messages

    def with_options(self, **options: Any) -> "AiConfig":
        """This configuration with the options a command was given (None: not given),
        validated as the file is."""
        given = {k: v for k, v in options.items() if v is not None}
        if not given:
            return self
        settings = {name: getattr(self, name) for name in SETTINGS} | given
        where = Path(f"{self.path or AI_FILE} with the command's options")
        return replace(parse_ai_config(where, settings), path=self.path)


SETTINGS = {f.name: f for f in fields(AiConfig) if f.name != "path"}


def load_ai_config(curation_dir: Path) -> AiConfig | None:
    """The folder's AI configuration, or None when it has no ai.yaml."""
    path = curation_dir / AI_FILE
    if not path.exists():
        return None
    return parse_ai_config(path, read_yaml(path))


def parse_ai_config(path: Path, document: Any) -> AiConfig:
    """Validate a loaded ai.yaml; one ConfigError lists every problem."""
    document = top_mapping(path, document, "base_url", "a mapping with 'base_url' and 'model'")
    problems = [_unknown(path, document, key) for key in document if key not in SETTINGS]
    settings = {}
    for name, spec in SETTINGS.items():
        if name in document:
            value = document[name]
            if message := _problem(name, value, spec.type):
                problems.append(Problem(path, line_of(document, name), name, message))
            else:
                settings[name] = float(value) if spec.type is float else value
    if "model" not in document:
        problems.append(Problem(path, line_of(document), "", "'model' is missing"))
    if problems:
        raise ConfigError(problems)
    return AiConfig(**settings, path=path)


def _unknown(path: Path, document: dict, key: str) -> Problem:
    if str(key).lower() in SECRET_KEYS:
        message = (
            f"{key!r}: an API key does not belong in a file in git; put it in an environment "
            "variable (a repository secret in CI) and name the variable in 'api_key_env'"
        )
    else:
        message = f"unknown key {key!r} (known: {', '.join(SETTINGS)})"
    return Problem(path, line_of(document, key), "", message)


def _problem(name: str, value: Any, kind: Any) -> str | None:
    """What is wrong with one setting's value (of type ``kind``), if anything."""
    if kind is bool:
        return None if isinstance(value, bool) else "must be true or false"
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if kind is int and not isinstance(value, int):
            return "must be a whole number"
        if name == "retries":  # 0: each request is tried once
            return None if value >= 0 else "must be 0 or more"
        return None if value > 0 else "must be more than 0"
    if not isinstance(value, str):
        return "must be text"
    if name == "mode" and value not in MODES:
        return f"must be one of {', '.join(MODES)}"
    if name == "base_url" and urlsplit(value).scheme not in ("http", "https"):
        return "must be an http:// or https:// URL, e.g. https://api.example.com/v1"
    if name == "model" and not value.strip():
        return "must name the model"
    return None
