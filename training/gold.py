"""The gold annotation format: reading, writing and checking JSONL records.

One document per line: ``id``, ``text``, ``doc_label``, ``entities``
(character spans, end exclusive) and ``source`` ("gold" or "silver").
A record without ``entities`` carries a document label only.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from model.labels import DOC_LABELS, ENTITY_LABELS

SOURCES = ("gold", "silver")
# Characters that may not open or close a span unless they belong to the name.
_EDGE_OK = set("()\"'“”‘’")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    doc_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: document {self.doc_id!r}: {self.reason}"


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, record); a line that is not a JSON object raises ValueError."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{lineno}: not valid JSON: {err.msg}") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object per line")
            yield lineno, record


def load(paths: Iterable[str | Path]) -> list[dict]:
    return [rec for path in paths for _, rec in read_jsonl(path)]


def write_jsonl(records: Iterable[dict], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _bad_edge(ch: str) -> bool:
    if ch.isspace():
        return True
    return unicodedata.category(ch).startswith("P") and ch not in _EDGE_OK


def check_record(rec: dict) -> list[str]:
    """Reasons this record breaks the format; empty when it is valid."""
    reasons = []
    text = rec.get("text")
    if not isinstance(rec.get("id"), str) or not rec.get("id"):
        reasons.append("missing or empty 'id'")
    if not isinstance(text, str):
        return reasons + ["missing 'text' (a string)"]
    if rec.get("doc_label") is not None and rec["doc_label"] not in DOC_LABELS:
        reasons.append(f"unknown doc_label {rec['doc_label']!r} (expected one of {', '.join(DOC_LABELS)})")
    if rec.get("source") not in SOURCES:
        reasons.append(f"'source' must be one of {SOURCES}, got {rec.get('source')!r}")
    entities = rec.get("entities")
    if entities is None:
        if rec.get("doc_label") is None:
            reasons.append("record has neither 'entities' nor 'doc_label'")
        return reasons
    if not isinstance(entities, list):
        return reasons + ["'entities' must be a list"]
    spans = []
    for k, ent in enumerate(entities):
        where = f"entity {k}"
        if not isinstance(ent, dict):
            reasons.append(f"{where}: not an object")
            continue
        start, end, label = ent.get("start"), ent.get("end"), ent.get("label")
        if label not in ENTITY_LABELS:
            reasons.append(f"{where}: unknown label {label!r}")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            reasons.append(f"{where}: start/end must be integers")
            continue
        where = f"{where} [{start}:{end}] {label}"
        if not 0 <= start < end <= len(text):
            reasons.append(f"{where}: span outside the text (length {len(text)}) or empty")
            continue
        surface = text[start:end]
        if _bad_edge(surface[0]) or _bad_edge(surface[-1]):
            reasons.append(f"{where}: span {surface!r} begins or ends with whitespace or punctuation")
        spans.append((start, end, where))
    spans.sort()
    for (a1, b1, w1), (a2, b2, w2) in zip(spans, spans[1:]):
        if a2 < b1:
            reasons.append(f"{w2}: overlaps {w1}")
    return reasons


def validate(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in the given files, ids checked for uniqueness across all of them."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        path = str(path)
        try:
            for lineno, rec in read_jsonl(path):
                doc_id = str(rec.get("id", "?"))
                for reason in check_record(rec):
                    problems.append(Problem(path, lineno, doc_id, reason))
                if doc_id in seen:
                    problems.append(Problem(path, lineno, doc_id, f"duplicate id (first at {seen[doc_id]})"))
                else:
                    seen[doc_id] = f"{path}:{lineno}"
        except FileNotFoundError:
            problems.append(Problem(path, 0, "-", "file not found"))
        except (ValueError, UnicodeDecodeError) as err:
            problems.append(Problem(path, 0, "-", str(err)))
    return problems
