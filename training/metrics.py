"""Scores: strict entity spans (seqeval, IOB2) and article-type classification."""
from __future__ import annotations

from collections import Counter

from model.labels import DOC_LABELS, ENTITY_LABELS


def _round(d):
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def ner_scores(gold: list[dict], pred: list[dict]) -> dict:
    """Strict span P/R/F1 per label, micro and macro, computed by seqeval (IOB2, strict)
    over the words of each document, cut at every gold and predicted boundary, so a
    span counts only when start, end and label all match."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    from training.convert import words_with_tags

    pred_by_id = {r["id"]: r for r in pred}
    y_true, y_pred = [], []
    for rec in gold:
        other = pred_by_id[rec["id"]]
        cuts = {c for e in other["entities"] for c in (e["start"], e["end"])}
        cuts_gold = {c for e in rec["entities"] for c in (e["start"], e["end"])}
        g = words_with_tags(rec, also_cut=cuts)
        p = words_with_tags({**other, "text": rec["text"]}, also_cut=cuts_gold)
        for gs, ps in zip(g, p, strict=True):
            y_true.append([t for *_, t in gs])
            y_pred.append([t for *_, t in ps])
    report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    out = {}
    for key, row in report.items():
        out[key] = _round({"precision": float(row["precision"]), "recall": float(row["recall"]),
                           "f1": float(row["f1-score"]), "support": int(row["support"])})
    for label in ENTITY_LABELS:  # labels absent from both sides still get a row
        out.setdefault(label, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0})
    return out


def classification_scores(gold: list[str], pred: list[str], probs: list[dict] | None = None) -> dict:
    labels = list(DOC_LABELS)
    per = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[label] = _round({"precision": prec, "recall": rec, "f1": f1, "support": n_gold})
    counts = Counter(zip(gold, pred))
    out = {
        "per_label": per,
        "macro_f1": round(sum(r["f1"] for r in per.values()) / len(labels), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold)), 4),
        "confusion_matrix": {"labels": labels,
                             "rows_gold_cols_pred": [[counts[(g, p)] for p in labels] for g in labels]},
    }
    if probs:
        import math
        nll = -sum(math.log(max(pr[g], 1e-12)) for g, pr in zip(gold, probs)) / len(gold)
        out["nll"] = round(nll, 4)
        out["ece"] = round(expected_calibration_error(gold, probs), 4)
    return out


def expected_calibration_error(gold: list[str], probs: list[dict], bins: int = 10) -> float:
    buckets = [[] for _ in range(bins)]
    for g, pr in zip(gold, probs):
        label = max(pr, key=pr.get)
        conf = pr[label]
        buckets[min(bins - 1, int(conf * bins))].append((conf, label == g))
    total = len(gold)
    return sum(abs(sum(c for c, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) * len(b) / total
               for b in buckets if b)
