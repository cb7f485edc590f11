"""Word embeddings from corpus co-occurrence (PPMI + truncated SVD) to start pretraining from.

    python -m training.init_embeddings --tokenizer outputs/encoder --segmented cache/segmented.jsonl \
        --dim 256 --out cache/svd_embeddings.npy

A transformer trained from scratch spends its first thousands of masked-LM
steps on a plateau where it predicts token frequencies only. Starting the
token embeddings from count-based vectors (Levy & Goldberg 2014) gives it
distributional knowledge at the cost of a few CPU minutes.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import sparse
from sklearn.utils.extmath import randomized_svd
from transformers import AutoTokenizer

from training.corpus_text import sentences


def cooccurrence(ids_list, vocab: int, window: int) -> sparse.csr_matrix:
    total = sparse.csr_matrix((vocab, vocab), dtype=np.float32)
    rows, cols, batch = [], [], 0
    for ids in ids_list:
        arr = np.asarray(ids, dtype=np.int32)
        for d in range(1, window + 1):
            if len(arr) > d:
                rows.append(arr[:-d])
                cols.append(arr[d:])
                batch += len(arr) - d
        if batch > 20_000_000:
            total = total + _counts(rows, cols, vocab)
            rows, cols, batch = [], [], 0
    if rows:
        total = total + _counts(rows, cols, vocab)
    return total + total.T


def _counts(rows, cols, vocab):
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sparse.coo_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(vocab, vocab)).tocsr()


def ppmi(counts: sparse.csr_matrix, alpha: float = 0.75) -> sparse.csr_matrix:
    counts = counts.tocoo()
    row_sum = np.asarray(counts.sum(1)).ravel()
    col_sum = np.asarray(counts.sum(0)).ravel() ** alpha  # context smoothing
    ctx_total = col_sum.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(counts.data * ctx_total / (row_sum[counts.row] * col_sum[counts.col]) + 1e-12)
    keep = pmi > 0
    return sparse.coo_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape).tocsr()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--segmented", required=True)
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--window", type=int, default=4)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    started = time.time()
    tok = AutoTokenizer.from_pretrained(args.tokenizer)
    sents = list(sentences(args.segmented, args.data_dir))
    ids = []
    for k in range(0, len(sents), 2000):
        ids += tok(sents[k:k + 2000], add_special_tokens=False)["input_ids"]
    n_tokens = sum(map(len, ids))
    counts = cooccurrence(ids, len(tok), args.window)
    matrix = ppmi(counts)
    u, s, _ = randomized_svd(matrix, n_components=args.dim, n_iter=5, random_state=args.seed)
    emb = u * np.sqrt(s)
    emb = emb / (emb.std() + 1e-8) * 0.02  # the scale of RoBERTa's own initialisation
    rng = np.random.default_rng(args.seed)
    empty = np.asarray(counts.sum(1)).ravel() == 0  # specials and unseen tokens keep a random start
    emb[empty] = rng.normal(0, 0.02, size=(int(empty.sum()), args.dim))
    np.save(args.out, emb.astype(np.float32))
    print(f"{len(tok)} x {args.dim} embeddings from {n_tokens} tokens in {time.time() - started:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
