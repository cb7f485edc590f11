"""Pretraining throughput of candidate encoder shapes on this machine (masked-LM steps).

    python benchmarks/encoder_shapes.py

Each shape runs a few warm-up and timed steps of the same masked-LM step that
training/pretrain.py uses (batch 32 x 128 tokens, 16,000-token vocabulary), on
random token ids: the speed does not depend on the text.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHAPES = [(2, 256), (4, 256), (6, 256), (4, 384), (6, 512)]


def main(argv=None) -> None:
    from accelerate import Accelerator
    from transformers import RobertaConfig, RobertaForMaskedLM

    from training.pretrain import mlm_loss, with_picked

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--vocab", type=int, default=16000)
    args = ap.parse_args(argv)
    acc = Accelerator()  # float32, as the CPU pretraining stages ran
    torch.manual_seed(0)
    ids = torch.randint(5, args.vocab, (32, 128))
    labels = torch.full_like(ids, -100)
    masked = torch.rand(ids.shape) < 0.15
    labels[masked] = ids[masked]
    batch = with_picked({"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels})
    print(f"torch threads {torch.get_num_threads()}; batch 32 x 128; vocab {args.vocab}")
    print(f"{'layers':>6} {'hidden':>6} {'params':>8} {'tokens/s':>9} {'tokens/hour':>12}")
    for layers, hidden in SHAPES:
        cfg = RobertaConfig(vocab_size=args.vocab, hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=hidden // 64, intermediate_size=hidden * 4,
                            max_position_embeddings=258, type_vocab_size=1, pad_token_id=1)
        model = RobertaForMaskedLM(cfg)
        optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
        model, optim = acc.prepare(model, optim)
        times = []
        for step in range(args.steps + 2):
            t = time.perf_counter()
            loss = mlm_loss(model, batch, acc)
            acc.backward(loss)
            optim.step()
            optim.zero_grad()
            if step >= 2:
                times.append(time.perf_counter() - t)
        rate = ids.numel() / sorted(times)[len(times) // 2]
        n = sum(p.numel() for p in model.parameters())
        print(f"{layers:>6} {hidden:>6} {n / 1e6:>7.1f}M {rate:>9.0f} {rate * 3600 / 1e6:>11.1f}M", flush=True)


if __name__ == "__main__":
    main()
