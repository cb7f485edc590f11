"""Subwords per word for candidate vocabulary sizes (the tokenizer's cost per word).

    python benchmarks/vocab_size.py --segmented cache/segmented.jsonl --sizes 8000 16000 32000

Tokenizers are learnt on the first N corpus sentences (annotated articles excluded) and
measured on the words of the gold articles in data/.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    from model.text import segment
    from training import gold
    from training.corpus_text import sentences
    from training.train_tokenizer import build

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segmented", required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[8000, 16000, 32000])
    ap.add_argument("--sentences", type=int, default=300_000)
    args = ap.parse_args(argv)
    sents = list(itertools.islice(sentences(args.segmented, ROOT / "data"), args.sentences))
    words = [w.text for r in gold.load(sorted((ROOT / "data" / "gold").glob("*.jsonl")))
             if r.get("entities") is not None for s in segment(r["text"]) for w in s.words]
    for size in args.sizes:
        tok = build(sents, size)
        ids = tok(words, add_special_tokens=False)["input_ids"]
        print(f"vocab {size}: {sum(map(len, ids)) / len(words):.3f} subwords per word "
              f"({len(words)} words of the gold articles; tokenizer learnt on {len(sents)} sentences)")


if __name__ == "__main__":
    main()
