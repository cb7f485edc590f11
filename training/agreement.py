"""Inter-annotator agreement: strict span-level F1 between two annotations of the same documents.

    python -m training.agreement data/agreement/annotator_1.jsonl data/agreement/annotator_2.jsonl
    python -m training.agreement A.jsonl B.jsonl --diff     # list every disagreement
    python -m training.agreement --doc-labels data/agreement/doclabels_reading_1.jsonl \
        data/agreement/doclabels_reading_2.jsonl               # article types: kappa, confusion

Agreement F1 is symmetric: precision of one side is recall of the other. Doc-label files
need only ``id`` and ``doc_label`` per line.
"""
from __future__ import annotations

import argparse
from collections import Counter

from model.labels import DOC_LABELS, ENTITY_LABELS
from training import gold


def spans(rec):
    return {(e["start"], e["end"], e["label"]) for e in rec.get("entities") or []}


def agreement(a: list[dict], b: list[dict]) -> dict[str, dict[str, float]]:
    by_id = {r["id"]: r for r in b}
    missing = [r["id"] for r in a if r["id"] not in by_id]
    if missing:
        raise ValueError(f"documents only in the first file: {missing}")
    tp, na, nb = Counter(), Counter(), Counter()
    for rec in a:
        sa, sb = spans(rec), spans(by_id[rec["id"]])
        for s in sa & sb:
            tp[s[2]] += 1
        for s in sa:
            na[s[2]] += 1
        for s in sb:
            nb[s[2]] += 1
    rows = {}
    for label in list(ENTITY_LABELS) + ["overall"]:
        t = sum(tp.values()) if label == "overall" else tp[label]
        x = sum(na.values()) if label == "overall" else na[label]
        y = sum(nb.values()) if label == "overall" else nb[label]
        p, r = (t / x if x else 0.0), (t / y if y else 0.0)
        rows[label] = {"a": x, "b": y, "both": t, "f1": 2 * t / (x + y) if x + y else 1.0}
    return rows


def disagreements(a: list[dict], b: list[dict]):
    by_id = {r["id"]: r for r in b}
    for rec in a:
        text = rec["text"]
        sa, sb = spans(rec), spans(by_id[rec["id"]])
        for s in sorted(sa ^ sb):
            side = "A only" if s in sa else "B only"
            ctx = text[max(0, s[0] - 30):s[0]] + "[" + text[s[0]:s[1]] + "]" + text[s[1]:s[1] + 30]
            yield rec["id"], side, s, " ".join(ctx.split())


def doc_label_agreement(a: list[dict], b: list[dict]) -> dict:
    """Raw agreement, Cohen's kappa and the confusion (rows: A, columns: B) over the ids both share."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    by_id = {r["id"]: r["doc_label"] for r in b}
    pairs = [(r["doc_label"], by_id[r["id"]]) for r in a if r["id"] in by_id]
    if not pairs:
        raise ValueError("the two files share no document id")
    ya, yb = zip(*pairs)
    return {"documents": len(pairs), "agreement": sum(x == y for x, y in pairs) / len(pairs),
            "kappa": float(cohen_kappa_score(ya, yb, labels=list(DOC_LABELS))),
            "labels": list(DOC_LABELS),
            "rows_a_cols_b": confusion_matrix(ya, yb, labels=list(DOC_LABELS)).tolist()}


def print_doc_labels(a: list[dict], b: list[dict]) -> None:
    res = doc_label_agreement(a, b)
    print(f"{res['documents']} documents; doc_label agreement {res['agreement']:.3f}, Cohen's kappa {res['kappa']:.3f}")
    print(f"{'A/B':<12}" + "".join(f"{lab:>12}" for lab in res["labels"]))
    for lab, row in zip(res["labels"], res["rows_a_cols_b"]):
        print(f"{lab:<12}" + "".join(f"{n:>12}" for n in row))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--diff", action="store_true")
    ap.add_argument("--doc-labels", action="store_true", help="compare article types only (files need id, doc_label)")
    args = ap.parse_args(argv)
    a, b = gold.load([args.a]), gold.load([args.b])
    if args.doc_labels:
        print_doc_labels(a, b)
        return
    rows = agreement(a, b)
    print(f"{len(a)} documents; strict span agreement")
    print(f"{'label':<8}{'A':>6}{'B':>6}{'both':>6}{'F1':>8}")
    for label, r in rows.items():
        print(f"{label:<8}{r['a']:>6}{r['b']:>6}{r['both']:>6}{r['f1']:>8.3f}")
    by_id = {r["id"]: r for r in b}
    same_doc = sum(r.get("doc_label") == by_id[r["id"]].get("doc_label") for r in a)
    print(f"doc_label agreement: {same_doc}/{len(a)}")
    if args.diff:
        for doc_id, side, (s, e, label), ctx in disagreements(a, b):
            print(f"{doc_id}\t{side}\t{s}-{e}\t{label}\t{ctx}")


if __name__ == "__main__":
    main()
