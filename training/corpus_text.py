"""Segmented corpus sentences for tokenizer training and pretraining.

Articles annotated in ``data/`` (every split, so the test split is surely
out) are excluded, by id and by title, since the corpus repeats stories.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from training import gold


def excluded(data_dir: str | Path = "data") -> tuple[set[str], set[str]]:
    """(corpus ids, lower-cased first lines) of every annotated article."""
    ids, titles = set(), set()
    data_dir = Path(data_dir)
    for path in sorted(data_dir.glob("**/*.jsonl")):
        for rec in gold.load([path]):
            ids.add(rec.get("corpus_id") or rec["id"].removeprefix("vn-"))
            if "text" in rec:  # label-only files (data/agreement/doclabels_*) name gold documents by id
                titles.add(rec["text"].strip().split("\n", 1)[0].strip().lower())
    extra = data_dir / "pretrain_exclude.txt"
    if extra.exists():
        ids |= {line.strip() for line in extra.read_text(encoding="utf-8").splitlines() if line.strip()}
    return ids, titles


def sentences(segmented: str | Path, data_dir: str | Path = "data") -> Iterator[str]:
    ids, titles = excluded(data_dir)
    with open(segmented, encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["id"] in ids or not doc["sentences"]:
                continue
            if doc["sentences"][0].replace("_", " ").strip().lower() in titles:
                continue
            yield from doc["sentences"]
