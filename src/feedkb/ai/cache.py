"""The model's answers, kept with the knowledge base so that each item is asked once.

``curation/ai/YYYY-MM.jsonl`` (the month of the item, as the store files items): one JSON
object a line, keyed by item id, prompt version and model. Files are rewritten whole and
atomically, as the store's are, so a crash leaves the old file or the new one; CI commits
them with the store. After a change of prompt or model, the earlier answers serve their items
until the curator asks again (``feedkb ai --refresh``); new items are asked with the new one.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from feedkb.ai.judgment import Judgment, SchemaError, judgment_from_builtins, judgment_to_builtins
from feedkb.fsutil import atomic_write_files

AI_DIR = "ai"
EVAL_DIR = "ai-eval"  # answers about labelled corpus items (`feedkb eval --ai`), kept apart


@dataclass(frozen=True)
class Answer:
    """One item asked of one model with one prompt: a judgment, or why there is none."""

    id: str
    prompt: str
    model: str
    at: str
    tokens: int = 0
    judgment: Judgment | None = None
    error: str = ""  # why the model's answers were not used

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.id, self.prompt, self.model)

    def to_line(self) -> bytes:
        record = {"id": self.id, "prompt": self.prompt, "model": self.model, "at": self.at}
        record |= {"tokens": self.tokens}
        if self.judgment is not None:
            record["judgment"] = judgment_to_builtins(self.judgment)
        else:
            record["error"] = self.error
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


class AiCache:
    def __init__(
        self,
        curation_dir: Path,
        folder: str = AI_DIR,
        notify: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.folder = curation_dir / folder
        self.notify = notify  # hears of each line that is not an answer

    def answers(self, prompt: str, model: str) -> dict[str, Answer]:
        """Each item's answer, by item id: of this prompt and model where there is one, else
        the latest of another (a changed prompt or model asks again only on request)."""
        chosen: dict[str, Answer] = {}
        for path in sorted(self.folder.glob("*.jsonl")):
            for answer in _read(path, self.notify):
                held = chosen.get(answer.id)
                if held is None or _rank(answer, prompt, model) > _rank(held, prompt, model):
                    chosen[answer.id] = answer
        return chosen

    def add(self, answers: list[Answer], months: dict[str, str]) -> None:
        """Keep ``answers`` (each item's month in ``months``), replacing earlier answers of the
        same item, prompt and model."""
        by_month: dict[str, list[Answer]] = defaultdict(list)
        for answer in answers:
            by_month[months[answer.id]].append(answer)
        files = {}
        for month, new in by_month.items():
            path = self.folder / f"{month}.jsonl"
            # A bad line was reported when the answers were read; the rewrite drops it.
            kept = {a.key: a for a in (_read(path, _quiet) if path.exists() else [])}
            kept.update((a.key, a) for a in new)
            files[path] = b"".join(a.to_line() for a in sorted(kept.values(), key=_order))
        atomic_write_files(files)


def _quiet(_message: str) -> None:
    pass


def _rank(answer: Answer, prompt: str, model: str) -> tuple[bool, str]:
    return (answer.prompt == prompt and answer.model == model, answer.at)


def _order(answer: Answer) -> tuple[str, str, str]:
    return (answer.id, answer.model, answer.prompt)


def _read(path: Path, notify: Callable[[str], None]) -> list[Answer]:
    """A month's answers; a line that is not one (edited by hand, say) is left out, said so,
    and its item asked again."""
    answers = []
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            record = orjson.loads(line)
            judgment = record.get("judgment")
            answers.append(
                Answer(
                    id=record["id"],
                    prompt=record["prompt"],
                    model=record["model"],
                    at=record["at"],
                    tokens=int(record.get("tokens", 0)),
                    judgment=judgment_from_builtins(judgment) if judgment else None,
                    error=str(record.get("error", "")),
                )
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, SchemaError) as exc:
            notify(f"{path}:{number}: not an AI answer ({exc}); its item will be asked again")
    return answers
