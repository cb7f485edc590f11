"""Propose corpus articles to annotate: political density and a doc-label hint.

    python -m training.select_articles --corpus ../shared/corpus/vn_news.jsonl.xz --out candidates.tsv

The hint only orders the reading queue; every doc_label is set by an
annotator who read the headline and opening.
"""
from __future__ import annotations

import argparse
import json
import lzma
import re

POLITICAL = re.compile(
    r"Bí thư|Chủ tịch|Phó Chủ tịch|Thủ tướng|Bộ trưởng|UBND|HĐND|Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|"
    r"Nghị quyết|Chỉ thị|Kết luận số|Quyết định số|Đảng|Quốc hội|Ban Thường vụ|Trung ương|đại biểu")
HINTS = {
    "inspection": r"kiểm tra|giám sát|khảo sát|làm việc với|làm việc tại|thăm và làm việc|đoàn công tác",
    "review": r"tổng kết|sơ kết|kiểm điểm|đánh giá kết quả|nhiệm vụ năm 201|kết quả thực hiện|báo cáo kết quả",
    "directive": r"chỉ thị|công điện|yêu cầu|chỉ đạo|giao nhiệm vụ|ban hành|đề nghị",
    "other": r"bổ nhiệm|bầu cử|được bầu|hội đàm|xét xử|khởi tố|tiếp đoàn|kỷ luật|miễn nhiệm|hội kiến",
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-chars", type=int, default=900)
    ap.add_argument("--max-chars", type=int, default=3500)
    ap.add_argument("--per-hint", type=int, default=60)
    args = ap.parse_args(argv)
    seen, rows = set(), {k: [] for k in HINTS}
    with lzma.open(args.corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            text = doc["text"]
            key = doc["title"].strip().lower()
            if key in seen or not args.min_chars <= len(text) <= args.max_chars or "[[" in text:
                continue
            seen.add(key)
            density = len(POLITICAL.findall(text)) / (len(text) / 1000)
            opening = text[:400]
            for hint, pat in HINTS.items():
                if re.search(pat, opening, re.I):
                    rows[hint].append((density, doc["id"], doc["title"]))
                    break
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("hint\tdensity\tid\ttitle\n")
        for hint, items in rows.items():
            for density, doc_id, title in sorted(items, reverse=True)[: args.per_hint]:
                out.write(f"{hint}\t{density:.1f}\t{doc_id}\t{title}\n")


if __name__ == "__main__":
    main()
