"""Masked-language-model pretraining of a compact RoBERTa (PhoBERT architecture).

    python -m training.pretrain --config configs/pretrain.yaml
    accelerate launch -m training.pretrain --config configs/pretrain.yaml   # GPUs / machines

Reads the segmented corpus through a memory-mapped Arrow table, packs sentences into sequences, checkpoints
every ``save_every`` steps and resumes from the last checkpoint.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate import Accelerator
from tqdm.auto import tqdm
from transformers import (AutoTokenizer, DataCollatorForLanguageModeling, RobertaConfig, RobertaForMaskedLM,
                          get_linear_schedule_with_warmup)

from training import config as cfg
from training.corpus_text import sentences


@dataclass
class ModelShape:
    hidden_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    intermediate_size: int = 1024
    max_position_embeddings: int = 258


@dataclass
class PretrainLoop:
    max_length: int = 128
    batch_size: int = 32
    learning_rate: float = 7e-4
    weight_decay: float = 0.01
    warmup_steps: int = 300
    max_steps: int = 30000
    max_minutes: float = 0.0
    mlm_probability: float = 0.15
    save_every: int = 250
    log_every: int = 25
    seed: int = 42
    threads: int = 0
    mixed_precision: str = "no"  # "bf16" on CPUs with bf16 units and on GPUs


@dataclass
class PretrainConfig:
    segmented: str
    output_dir: str
    data_dir: str = "data"
    vocab_size: int = 16000
    init_embeddings: str | None = None  # .npy from training.init_embeddings (same tokenizer)
    model: ModelShape = field(default_factory=ModelShape)
    train: PretrainLoop = field(default_factory=PretrainLoop)

    def check(self):
        if self.model.hidden_size % self.model.num_attention_heads:
            raise cfg.ConfigError("model.hidden_size must be a multiple of model.num_attention_heads")
        if self.train.max_length + 2 > self.model.max_position_embeddings:
            raise cfg.ConfigError("train.max_length + 2 must fit model.max_position_embeddings")


def roberta_config(shape: ModelShape, tokenizer) -> RobertaConfig:
    return RobertaConfig(vocab_size=len(tokenizer), hidden_size=shape.hidden_size,
                         num_hidden_layers=shape.num_hidden_layers, num_attention_heads=shape.num_attention_heads,
                         intermediate_size=shape.intermediate_size,
                         max_position_embeddings=shape.max_position_embeddings, type_vocab_size=1,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)


def _sentence_rows(segmented: str, data_dir: str, stamp: str):
    # `stamp` is unused here: it is part of the datasets cache key (see sentence_table)
    for text in sentences(segmented, data_dir):
        yield {"text": text}


def sentence_table(conf: PretrainConfig):
    """The pretraining sentences as a memory-mapped Arrow table (built once, cached beside the output).

    The size and modification time of the corpus and of every file the exclusion reads
    (data/**/*.jsonl, pretrain_exclude.txt) are part of the cache key, so a re-segmented
    corpus or new annotations build a new table.
    """
    from datasets import Dataset

    inputs = [Path(conf.segmented), *sorted(Path(conf.data_dir).glob("**/*.jsonl")),
              *[p for p in [Path(conf.data_dir) / "pretrain_exclude.txt"] if p.exists()]]
    stamp = ";".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in inputs)
    return Dataset.from_generator(_sentence_rows, cache_dir=str(Path(conf.output_dir) / "arrow"),
                                  gen_kwargs={"segmented": conf.segmented, "data_dir": conf.data_dir, "stamp": stamp})


def packed_sequences(conf: PretrainConfig, tokenizer, seed: int):
    """Endless stream of token-id lists of at most max_length - 2 tokens, shuffled per pass."""
    budget = conf.train.max_length - 2
    table = sentence_table(conf)
    rng = random.Random(seed)
    while True:
        order = list(range(len(table)))
        rng.shuffle(order)
        buf: list[int] = []
        for start in range(0, len(order), 1000):
            chunk = table[order[start:start + 1000]]["text"]
            for ids in tokenizer(chunk, add_special_tokens=False)["input_ids"]:
                if len(buf) + len(ids) > budget and buf:
                    yield buf
                    buf = []
                buf.extend(ids[:budget])


def batches(conf, tokenizer, collator, skip: int):
    stream = packed_sequences(conf, tokenizer, conf.train.seed)
    for _ in range(skip * conf.train.batch_size):
        next(stream)
    while True:
        seqs = [[tokenizer.bos_token_id, *next(stream), tokenizer.eos_token_id] for _ in range(conf.train.batch_size)]
        yield collator([{"input_ids": s} for s in seqs])


def mlm_loss(model, batch, accelerator):
    """Masked-LM loss with the vocabulary projection run on masked positions only.

    The projection over the whole vocabulary is the costliest layer of a
    small encoder; 85% of positions carry no label, so skipping them saves
    about a third of the compute on CPU.
    """
    if accelerator.num_processes > 1:  # keep DDP's own forward for gradient sync
        return model(**batch).loss
    core = accelerator.unwrap_model(model)
    hidden = core.roberta(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    labels = batch["labels"]
    picked = labels != -100
    logits = core.lm_head(hidden[picked])
    return torch.nn.functional.cross_entropy(logits.float(), labels[picked])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--max-minutes", type=float)
    args = ap.parse_args(argv)
    conf = cfg.load(PretrainConfig, args.config)
    if args.max_steps:
        conf.train.max_steps = args.max_steps
    if args.max_minutes is not None:
        conf.train.max_minutes = args.max_minutes
    if conf.train.threads:
        torch.set_num_threads(conf.train.threads)
    out = Path(conf.output_dir)
    ckpt_dir = out / "checkpoint"
    accelerator = Accelerator(mixed_precision=conf.train.mixed_precision)
    torch.manual_seed(conf.train.seed)

    if not (out / "tokenizer.json").exists():
        if accelerator.is_main_process:
            from training.train_tokenizer import build
            build(sentences(conf.segmented, conf.data_dir), conf.vocab_size,
                  conf.model.max_position_embeddings - 2).save_pretrained(out)
        accelerator.wait_for_everyone()
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = RobertaForMaskedLM(roberta_config(conf.model, tokenizer))
    if conf.init_embeddings:
        import numpy as np
        table = torch.from_numpy(np.load(conf.init_embeddings))
        if tuple(table.shape) != tuple(model.roberta.embeddings.word_embeddings.weight.shape):
            raise SystemExit(f"{conf.init_embeddings}: shape {tuple(table.shape)} does not fit the model")
        with torch.no_grad():
            model.roberta.embeddings.word_embeddings.weight.copy_(table)
    n_params = sum(p.numel() for p in model.parameters())
    accelerator.print(f"encoder: {n_params / 1e6:.2f}M parameters, vocab {len(tokenizer)}")
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    rest = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": conf.train.weight_decay},
                               {"params": rest, "weight_decay": 0.0}], lr=conf.train.learning_rate)
    sched = get_linear_schedule_with_warmup(optim, conf.train.warmup_steps, conf.train.max_steps)
    model, optim, sched = accelerator.prepare(model, optim, sched)

    step, tokens_seen, elapsed_before = 0, 0, 0.0
    if (ckpt_dir / "progress.json").exists():
        accelerator.load_state(str(ckpt_dir))
        progress = json.loads((ckpt_dir / "progress.json").read_text())
        step, tokens_seen, elapsed_before = progress["step"], progress["tokens_seen"], progress["seconds"]
        accelerator.print(f"resumed at step {step}")

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=conf.train.mlm_probability)
    data = batches(conf, tokenizer, collator, skip=step)
    log_path = out / "pretrain_log.jsonl"
    started = time.time()
    model.train()
    bar = tqdm(total=conf.train.max_steps, initial=step, desc="pretrain", disable=not accelerator.is_main_process)
    window_tokens, window_start, window_loss = 0, time.time(), []

    def save():
        accelerator.wait_for_everyone()
        accelerator.save_state(str(ckpt_dir))
        if accelerator.is_main_process:
            (ckpt_dir / "progress.json").write_text(json.dumps(
                {"step": step, "tokens_seen": tokens_seen, "seconds": elapsed_before + time.time() - started}))

    while step < conf.train.max_steps:
        batch = {k: v.to(accelerator.device) for k, v in next(data).items()}
        loss = mlm_loss(model, batch, accelerator)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad()
        step += 1
        n_tok = int(batch["attention_mask"].sum()) * accelerator.num_processes
        tokens_seen += n_tok
        window_tokens += n_tok
        window_loss.append(loss.item())
        bar.update(1)
        if step % conf.train.log_every == 0 and accelerator.is_main_process:
            rate = window_tokens / (time.time() - window_start)
            row = {"step": step, "loss": sum(window_loss) / len(window_loss), "tokens_per_s": round(rate),
                   "tokens_seen": tokens_seen, "lr": sched.get_last_lr()[0],
                   "seconds": round(elapsed_before + time.time() - started)}
            bar.set_postfix(loss=f"{row['loss']:.3f}", tok_s=row["tokens_per_s"])
            with open(log_path, "a") as fh:
                fh.write(json.dumps(row) + "\n")
            window_tokens, window_start, window_loss = 0, time.time(), []
        if step % conf.train.save_every == 0:
            save()
        if conf.train.max_minutes and (time.time() - started) / 60 >= conf.train.max_minutes:
            break
    save()
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)
        summary = {"steps": step, "tokens_seen": tokens_seen, "parameters": n_params,
                   "seconds": round(elapsed_before + time.time() - started),
                   "hardware": f"{accelerator.device.type} x{accelerator.num_processes}, torch threads {torch.get_num_threads()}",
                   "config": cfg.as_dict(conf)}
        (out / "pretrain_summary.json").write_text(json.dumps(summary, indent=1))
        accelerator.print(json.dumps({k: v for k, v in summary.items() if k != "config"}))


if __name__ == "__main__":
    main()
