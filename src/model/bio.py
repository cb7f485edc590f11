"""Word-level BIO tags from character spans and back (CoNLL output, training, scoring)."""
from __future__ import annotations


def words_with_tags(rec: dict, warn=None, also_cut=()) -> list[list[tuple[str, int, int, str]]]:
    """Sentences of (word, start, end, BIO tag) for a gold record.

    A word that an entity boundary cuts (or a boundary in ``also_cut``, for
    comparing two annotations over the same words) is split there, and
    reported through ``warn``, so that no entity is lost or moved. The word
    is the normalised form the models read.
    """
    from model.text import normalize, segment

    text = rec["text"]
    entities = sorted(rec.get("entities") or [], key=lambda e: e["start"])
    cuts = sorted({e["start"] for e in entities} | {e["end"] for e in entities} | set(also_cut))
    sentences = []
    for sent in segment(text):
        pieces = []
        for w in sent.words:
            inner = [c for c in cuts if w.start < c < w.end]
            if inner and warn:
                warn(f"document {rec['id']!r}: entity boundary inside word {text[w.start:w.end]!r} "
                     f"at {w.start}-{w.end}; word split at {inner}")
            bounds = [w.start] + inner + [w.end]
            for a, b in zip(bounds, bounds[1:]):
                # keep pieces free of outer whitespace
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    pieces.append((a, b))
        tagged, k = [], 0
        for a, b in pieces:
            while k < len(entities) and entities[k]["end"] <= a:
                k += 1
            tag = "O"
            if k < len(entities) and entities[k]["start"] <= a and b <= entities[k]["end"]:
                tag = ("B-" if a == entities[k]["start"] else "I-") + entities[k]["label"]
            tagged.append(("_".join(normalize(text[a:b]).split()), a, b, tag))
        if tagged:
            sentences.append(tagged)
    return sentences


def spans_from_tags(tagged: list[tuple[int, int, str]]) -> list[dict]:
    """Character spans from (start, end, BIO tag) words; I- without B- starts a span."""
    spans, cur = [], None
    for a, b, tag in tagged:
        if tag.startswith("I-") and cur and cur["label"] == tag[2:]:
            cur["end"] = b
            continue
        if cur:
            spans.append(cur)
            cur = None
        if tag != "O":
            cur = {"start": a, "end": b, "label": tag[2:]}
    if cur:
        spans.append(cur)
    return spans


def allowed_transitions(labels: list[str]):
    """(start, transition) log-penalties of valid IOB2, 0 or -inf: I-X never starts a
    sentence and follows only B-X or I-X. Built once per model, added in :func:`viterbi`."""
    import torch

    n = len(labels)
    start = torch.zeros(n)
    trans = torch.zeros(n, n)
    for j, lab in enumerate(labels):
        if lab.startswith("I-"):
            start[j] = float("-inf")
            for i, prev in enumerate(labels):
                if prev == "O" or prev[2:] != lab[2:]:
                    trans[i, j] = float("-inf")
    return start, trans


def viterbi(log_probs, start, trans) -> list[int]:
    """Most probable tag sequence under the per-word probabilities that is valid IOB2.

    Argmax per word can emit I-X after O or after B-Y, which strict scoring
    counts as a wrong span; the model's own probabilities pick the best
    sequence that has none.
    """
    score = log_probs[0] + start
    back = []
    for row in log_probs[1:]:
        best, idx = (score[:, None] + trans).max(0)  # [prev, next] -> best prev for each next
        back.append(idx)
        score = best + row
    path = [int(score.argmax())]
    for idx in reversed(back):
        path.append(int(idx[path[-1]]))
    return path[::-1]
