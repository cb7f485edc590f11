"""Word-segment the unlabelled corpus once, for tokenizer training and pretraining.

    python -m training.segment_corpus --corpus ../shared/corpus/vn_news.jsonl.xz --out cache/segmented.jsonl

Each output line is {"id", "sentences": ["Bí_thư Thành_ủy ...", ...]}, made by the
same normalisation and segmenter the package uses at run time. Resumable: ids
already in the output are skipped.
"""
from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

from tqdm import tqdm

from model.text import segment


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        with open(out, encoding="utf-8") as fh:
            done = {json.loads(line)["id"] for line in fh if line.strip()}
    with lzma.open(args.corpus, "rt", encoding="utf-8") as src, open(out, "a", encoding="utf-8") as dst:
        for k, line in enumerate(tqdm(src, desc="segmenting", unit="doc", mininterval=30)):
            if args.limit is not None and k >= args.limit:
                break
            doc = json.loads(line)
            if doc["id"] in done:
                continue
            done.add(doc["id"])
            sents = [" ".join(w.text for w in s.words) for s in segment(doc["text"])]
            dst.write(json.dumps({"id": doc["id"], "sentences": sents}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
