"""What a prediction returns: entities, the article type and the officials."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Entity:
    text: str  # always original[start:end]
    label: str
    start: int
    end: int
    score: float


@dataclass
class Official:
    name: str  # the PER text of the first mention
    mentions: list[Entity] = field(default_factory=list)  # every PER span of this name
    offices: list[Entity] = field(default_factory=list)  # POS spans attached to the name, each once


@dataclass
class Result:
    entities: list[Entity]
    doc_label: str | None
    doc_scores: dict[str, float]
    officials: list[Official]

    def to_dict(self) -> dict:
        return asdict(self)
