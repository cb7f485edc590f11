"""Propose corpus articles to annotate: political density and a doc-label hint.

    python -m training.select_articles --corpus ../shared/corpus/vn_news.jsonl.xz --out candidates.tsv \
        [--unseen-by cache/segmented.jsonl]

The hint only orders the reading queue; every doc_label is set by an
annotator who read the headline and opening.
"""
from __future__ import annotations

import argparse
import json
import lzma
import re
from pathlib import Path

from training import gold
from training.corpus_text import excluded

POLITICAL = re.compile(
    r"Bí thư|Chủ tịch|Phó Chủ tịch|Thủ tướng|Bộ trưởng|UBND|HĐND|Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|"
    r"Nghị quyết|Chỉ thị|Kết luận số|Quyết định số|Đảng|Quốc hội|Ban Thường vụ|Trung ương|đại biểu")
HINTS = {
    "inspection": r"kiểm tra|giám sát|khảo sát|làm việc với|làm việc tại|thăm và làm việc|đoàn công tác",
    "review": r"tổng kết|sơ kết|kiểm điểm|đánh giá kết quả|nhiệm vụ năm 201|kết quả thực hiện|báo cáo kết quả",
    "directive": r"chỉ thị|công điện|yêu cầu|chỉ đạo|giao nhiệm vụ|ban hành|đề nghị",
    "other": r"bổ nhiệm|bầu cử|được bầu|hội đàm|xét xử|khởi tố|tiếp đoàn|kỷ luật|miễn nhiệm|hội kiến",
}


def shingles(text: str, n: int = 3) -> frozenset:
    """Word n-grams of an article's opening: two reports of one story share most of them."""
    words = re.findall(r"\w+", text[:600].lower())
    return frozenset(zip(*(words[i:] for i in range(n))))


def near_duplicate(a: frozenset, b: frozenset, threshold: float = 0.3) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-chars", type=int, default=900)
    ap.add_argument("--max-chars", type=int, default=3500)
    ap.add_argument("--per-hint", type=int, default=60)
    ap.add_argument("--unseen-by", metavar="SEGMENTED",
                    help="skip articles in this segmented pretraining text (by id or first line), so that "
                         "new test documents were never read by the shipped encoder")
    ap.add_argument("--data-dir", default="data", help="skip articles already annotated here")
    args = ap.parse_args(argv)
    skip_ids, seen = excluded(args.data_dir)
    if args.unseen_by:
        with open(args.unseen_by, encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                skip_ids.add(doc["id"])
                if doc["sentences"]:
                    seen.add(doc["sentences"][0].replace("_", " ").strip().lower())
    kept = [shingles(rec["text"]) for rec in gold.load(sorted(Path(args.data_dir).glob("**/*.jsonl"))) if "text" in rec]
    rows = {k: [] for k in (*HINTS, "none")}
    with lzma.open(args.corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            text = doc["text"]
            key = doc["title"].strip().lower()
            if str(doc["id"]) in skip_ids or key in seen or not args.min_chars <= len(text) <= args.max_chars or "[[" in text:
                continue
            seen.add(key)
            density = len(POLITICAL.findall(text)) / (len(text) / 1000)
            # The headline decides the label, so a hint found there outranks one in the opening.
            hint = next((h for part in (doc["title"], text[:400]) for h, pat in HINTS.items()
                         if re.search(pat, part, re.I)), "none")
            rows[hint].append((density, doc["id"], doc["title"], shingles(text)))
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("hint\tdensity\tid\ttitle\n")
        for hint, items in rows.items():
            picked = 0
            # One article per story: skip a candidate that repeats an annotated or a picked one.
            for density, doc_id, title, sh in sorted(items, key=lambda r: (-r[0], r[1])):
                if picked == args.per_hint:
                    break
                if any(near_duplicate(sh, other) for other in kept):
                    continue
                kept.append(sh)
                picked += 1
                out.write(f"{hint}\t{density:.1f}\t{doc_id}\t{title}\n")


if __name__ == "__main__":
    main()
