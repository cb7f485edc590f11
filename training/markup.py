"""Inline markup for annotators: ``[[Nguyễn Văn Quảng|PER]]`` inside the text.

Annotators edit a copy of the article with spans bracketed; the importer
strips the brackets, checks the result is the source text character for
character, and turns the brackets into character spans. An optional first
line ``@@ doc_label=review`` carries the document label.
"""
from __future__ import annotations

import re

from model.labels import DOC_LABELS, ENTITY_LABELS

# A span opens at the last "[[" of a bracket run, so a literal "[" may precede an entity: "[[[Thủ tướng|POS]]".
_SPAN = re.compile(r"\[\[(?!\[)(.+?)\|([A-Z]+)\]\]", re.S)
_HEADER = re.compile(r"@@ doc_label=(\S+)\n")


class MarkupError(ValueError):
    pass


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def parse(markup: str) -> tuple[str, list[dict], str | None]:
    """(plain text, entities, doc_label) from a marked-up text."""
    doc_label = None
    header = _HEADER.match(markup)
    if header:
        doc_label = header.group(1)
        if doc_label not in DOC_LABELS:
            raise MarkupError(f"unknown doc_label {doc_label!r} in the header")
        markup = markup[header.end():]
    out, entities, pos = [], [], 0
    length = 0
    for m in _SPAN.finditer(markup):
        before = markup[pos:m.start()]
        if "[[" in before or "]]" in before:
            bad = pos + max(before.find("[["), before.find("]]"))
            raise MarkupError(f"unbalanced brackets at {_line_col(markup, bad)}")
        surface, label = m.group(1), m.group(2)
        if label not in ENTITY_LABELS:
            raise MarkupError(f"unknown label {label!r} at {_line_col(markup, m.start())}")
        if "[[" in surface:
            raise MarkupError(f"nested brackets at {_line_col(markup, m.start())}")
        out.append(before)
        length += len(before)
        entities.append({"start": length, "end": length + len(surface), "label": label})
        out.append(surface)
        length += len(surface)
        pos = m.end()
    rest = markup[pos:]
    if "[[" in rest or "]]" in rest:
        bad = pos + max(rest.find("[["), rest.find("]]"))
        raise MarkupError(f"unbalanced brackets at {_line_col(markup, bad)}")
    out.append(rest)
    return "".join(out), entities, doc_label


def render(text: str, entities: list[dict], doc_label: str | None = None) -> str:
    """The marked-up form of a record (inverse of :func:`parse`)."""
    parts, pos = [], 0
    if doc_label:
        parts.append(f"@@ doc_label={doc_label}\n")
    for ent in sorted(entities, key=lambda e: e["start"]):
        parts.append(text[pos:ent["start"]])
        parts.append(f"[[{text[ent['start']:ent['end']]}|{ent['label']}]]")
        pos = ent["end"]
    parts.append(text[pos:])
    return "".join(parts)


def first_difference(a: str, b: str) -> int | None:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def check_against(source: str, text: str) -> str | None:
    """None when ``text`` equals ``source``, else where and how they differ."""
    i = first_difference(source, text)
    if i is None:
        return None
    return (f"text differs from the source at {_line_col(source, i)}: "
            f"source has {source[max(0, i - 20):i + 20]!r}, markup has {text[max(0, i - 20):i + 20]!r}")
