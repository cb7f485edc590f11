"""The fixed train/dev/test split by document, stratified by doc label.

    python -m training.split data/gold/*.jsonl --out data/splits.json
    python -m training.split data/gold/*.jsonl --out data/splits.json --extend   # place new documents only

Documents with entity annotation and documents with a doc label only are
stratified separately, so each split has both kinds in proportion. The test
split is never used for training or model selection. ``--extend`` keeps every
existing assignment and splits only the documents the file does not list, so
a test document never moves into training. A record marked
``"seen_in_pretraining": true`` (its text was part of the shipped encoder's
pretraining corpus) always trains: scoring on it would flatter the encoder.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict

from training import gold

FRACTIONS = {"train": 0.6, "dev": 0.2, "test": 0.2}


def make_split(records: list[dict], seed: int = 13) -> dict[str, list[str]]:
    groups = defaultdict(list)
    split = {name: [] for name in FRACTIONS}
    for rec in records:
        if rec.get("seen_in_pretraining"):
            split["train"].append(rec["id"])
            continue
        groups[(rec.get("entities") is not None, rec.get("doc_label"))].append(rec["id"])
    rng = random.Random(seed)
    for key in sorted(groups, key=str):
        ids = sorted(groups[key])
        rng.shuffle(ids)
        n_test = round(len(ids) * FRACTIONS["test"])
        n_dev = round(len(ids) * FRACTIONS["dev"])
        split["test"] += ids[:n_test]
        split["dev"] += ids[n_test:n_test + n_dev]
        split["train"] += ids[n_test + n_dev:]
    return {name: sorted(ids) for name, ids in split.items()}


def extend_split(split: dict[str, list[str]], records: list[dict], seed: int = 13) -> dict[str, list[str]]:
    placed = {doc_id for ids in split.values() for doc_id in ids}
    new = make_split([rec for rec in records if rec["id"] not in placed], seed)
    return {name: sorted(set(split.get(name, [])) | set(new[name])) for name in FRACTIONS}


def load_split(path: str) -> dict[str, set[str]]:
    with open(path, encoding="utf-8") as fh:
        return {name: set(ids) for name, ids in json.load(fh).items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--extend", action="store_true", help="keep the assignments already in --out")
    args = ap.parse_args(argv)
    records = gold.load(args.files)
    if args.extend:
        with open(args.out, encoding="utf-8") as fh:
            split = extend_split(json.load(fh), records, args.seed)
    else:
        split = make_split(records, args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(split, fh, indent=1)
        fh.write("\n")
    print({k: len(v) for k, v in split.items()})


if __name__ == "__main__":
    main()
