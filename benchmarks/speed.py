"""Throughput against underthesea.ner (CRF), cold start and peak memory of the CLI.

    python benchmarks/speed.py                 # the shipped default on the entity-annotated gold articles
    python benchmarks/speed.py --model outputs/model --rounds 3

Both systems read the same articles in the same process, alternating rounds;
words are counted the same way for both (whitespace-separated syllables), so
the printed ratio is a ratio of times.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def articles(limit: int | None) -> list[str]:
    """The gold articles with entity annotation (the doc-label-only ones would add minutes, not information)."""
    texts = []
    for path in sorted((ROOT / "data" / "gold").glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        texts += [rec["text"] for rec in records if rec.get("entities") is not None]
    return texts[:limit]


def run_underthesea(texts):
    from underthesea import ner, sent_tokenize
    for text in texts:
        for para in text.split("\n"):
            for sent in sent_tokenize(para):
                ner(sent)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="model folder (default: the shipped default)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args(argv)

    import torch

    import model

    texts = articles(args.limit)
    words = sum(len(t.split()) for t in texts)
    predictor = model.load(args.model, device="cpu", batch_size=args.batch_size)
    # warm-up: lazy model loads and caches on both sides
    predictor.predict_many(texts[:2])
    run_underthesea(texts[:2])
    ours, theirs = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        predictor.predict_many(texts)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        run_underthesea(texts)
        theirs.append(time.perf_counter() - t)
    ratios = [b / a for a, b in zip(ours, theirs)]

    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text(texts[0], encoding="utf-8")
        folder = Path(tmp) / "all"
        folder.mkdir()
        for k, text in enumerate(texts):
            (folder / f"{k:04d}.txt").write_text(text, encoding="utf-8")
        cmd = [sys.executable, "-m", "model.predict"] + (["--model", args.model] if args.model else [])
        cold = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            subprocess.run(cmd + [str(one)], check=True, stdout=subprocess.DEVNULL)
            cold.append(time.perf_counter() - t)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(cmd + [str(folder), "--format", "jsonl"], check=True, stdout=subprocess.DEVNULL)
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024

    med = statistics.median
    print(f"articles: {len(texts)}, words: {words}, rounds: {args.rounds}, torch threads: {torch.get_num_threads()}")
    print(f"this package   : {words / med(ours):9.0f} words/s (median {med(ours):.2f} s per pass)")
    print(f"underthesea.ner: {words / med(theirs):9.0f} words/s (median {med(theirs):.2f} s per pass)")
    print(f"throughput ratio (this package / underthesea.ner): median {med(ratios):.2f}x, "
          f"min {min(ratios):.2f}x, max {max(ratios):.2f}x")
    print(f"cold start, python -m model.predict on one file: median {med(cold):.2f} s")
    print(f"peak RSS, python -m model.predict on all {len(texts)} files: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
