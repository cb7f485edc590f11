"""Masked-language-model pretraining of a compact RoBERTa (PhoBERT architecture).

    python -m training.pretrain --config configs/pretrain.yaml
    accelerate launch -m training.pretrain --config configs/pretrain.yaml   # GPUs / machines

Tokenizes the segmented corpus once into a token file (``tokens``: ids and sentence starts, numpy),
packs sentences into sequences, checkpoints every ``save_every`` steps and resumes from the last
checkpoint. ``init_from`` continues pretraining from an earlier encoder (its tokenizer and weights).
The token file travels alone: where ``segmented`` is absent (a GPU machine), it is used as it is.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from tqdm.auto import tqdm
from transformers import AutoTokenizer, DataCollatorForLanguageModeling, RobertaConfig, RobertaForMaskedLM

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
    max_steps: int = 30000             # 0: as many as max_minutes allows, measured over the first probe_steps
    max_minutes: float = 0.0
    probe_steps: int = 50
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
    init_from: str | None = None        # an earlier encoder folder: its tokenizer, shape and weights
    tokens: str | None = None           # token file; default <output_dir>/tokens.npz
    model: ModelShape = field(default_factory=ModelShape)
    train: PretrainLoop = field(default_factory=PretrainLoop)

    def check(self):
        if self.model.hidden_size % self.model.num_attention_heads:
            raise cfg.ConfigError("model.hidden_size must be a multiple of model.num_attention_heads")
        if self.train.max_length + 2 > self.model.max_position_embeddings:
            raise cfg.ConfigError("train.max_length + 2 must fit model.max_position_embeddings")
        if self.train.max_steps < 0 or (self.train.max_steps == 0 and self.train.max_minutes <= 0):
            raise cfg.ConfigError("train.max_steps must be positive, or 0 with train.max_minutes set")
        if self.init_from and self.init_embeddings:
            raise cfg.ConfigError("init_from and init_embeddings exclude each other")


def roberta_config(shape: ModelShape, tokenizer) -> RobertaConfig:
    return RobertaConfig(vocab_size=len(tokenizer), hidden_size=shape.hidden_size,
                         num_hidden_layers=shape.num_hidden_layers, num_attention_heads=shape.num_attention_heads,
                         intermediate_size=shape.intermediate_size,
                         max_position_embeddings=shape.max_position_embeddings, type_vocab_size=1,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)


def _stamp(conf: PretrainConfig, tokenizer) -> str:
    """What the token file was made from: the corpus, every file the exclusion reads, the tokenizer."""
    inputs = [Path(conf.segmented), *sorted(Path(conf.data_dir).glob("**/*.jsonl")),
              *[p for p in [Path(conf.data_dir) / "pretrain_exclude.txt"] if p.exists()]]
    vocab = hashlib.sha1(json.dumps(tokenizer.get_vocab(), sort_keys=True).encode()).hexdigest()
    return ";".join([*(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in inputs), f"vocab:{vocab}"])


def token_table(conf: PretrainConfig, tokenizer) -> tuple[np.ndarray, np.ndarray]:
    """(ids, starts): every pretraining sentence tokenized once; sentence i is ids[starts[i]:starts[i + 1]].

    Rebuilt when the corpus, the annotations the exclusion reads or the tokenizer changed; used as it
    is where the corpus is absent, so the file alone can go to a GPU machine.
    """
    path = Path(conf.tokens) if conf.tokens else Path(conf.output_dir) / "tokens.npz"
    saved = np.load(path) if path.exists() else None
    if saved is not None and not Path(conf.segmented).exists():
        print(f"{conf.segmented} absent: using {path} as it is ({saved['stamp']})")
        return saved["ids"], saved["starts"]
    stamp = _stamp(conf, tokenizer)
    if saved is not None and str(saved["stamp"]) == stamp:
        return saved["ids"], saved["starts"]
    dtype = np.uint16 if len(tokenizer) <= np.iinfo(np.uint16).max else np.int32
    parts, lengths, batch = [], [], []

    def flush():
        for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
            parts.append(np.asarray(ids, dtype=dtype))
            lengths.append(len(ids))
        batch.clear()

    for text in sentences(conf.segmented, conf.data_dir):
        batch.append(text)
        if len(batch) == 10000:
            flush()
    flush()
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype)
    starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, ids=ids, starts=starts, stamp=np.array(stamp))
    return ids, starts


def packed_sequences(conf: PretrainConfig, tokenizer, seed: int):
    """Endless stream of token-id lists of at most max_length - 2 tokens, shuffled per pass."""
    budget = conf.train.max_length - 2
    ids, starts = token_table(conf, tokenizer)
    rng = random.Random(seed)
    while True:
        order = list(range(len(starts) - 1))
        rng.shuffle(order)
        buf: list[int] = []
        for i in order:
            sent = ids[starts[i]:starts[i + 1]].tolist()
            if len(buf) + len(sent) > budget and buf:
                yield buf
                buf = []
            buf.extend(sent[:budget])


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
    about a third of the compute on CPU. The masked positions come as flat
    indices worked out on the CPU, so a GPU never waits on a boolean mask.
    """
    if accelerator.num_processes > 1:  # keep DDP's own forward for gradient sync
        return model(**{k: batch[k] for k in ("input_ids", "attention_mask", "labels")}).loss
    core = accelerator.unwrap_model(model)
    hidden = core.roberta(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    logits = core.lm_head(hidden.reshape(-1, hidden.shape[-1]).index_select(0, batch["picked"]))
    return torch.nn.functional.cross_entropy(logits.float(), batch["targets"])


def with_picked(batch: dict) -> dict:
    flat = batch["labels"].reshape(-1)
    picked = (flat != -100).nonzero().squeeze(1)
    return {**batch, "picked": picked, "targets": flat[picked]}


def linear_schedule(optim, warmup: int, plan: dict):
    """transformers' linear warm-up and decay to zero at plan["steps"], which the probe may set later."""
    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        if not plan["steps"]:  # not known yet: hold the peak
            return 1.0
        return max(0.0, (plan["steps"] - step) / max(1, plan["steps"] - warmup))
    return torch.optim.lr_scheduler.LambdaLR(optim, factor)


def hardware(accelerator) -> str:
    dev = accelerator.device
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"torch threads {torch.get_num_threads()}"
    return f"{dev.type} x{accelerator.num_processes}, {name}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--output-dir")
    args = ap.parse_args(argv)
    conf = cfg.load(PretrainConfig, args.config)
    if args.max_steps:
        conf.train.max_steps = args.max_steps
    if args.max_minutes is not None:
        conf.train.max_minutes = args.max_minutes
    if args.output_dir:
        conf.output_dir = args.output_dir
    conf.check()
    if conf.train.threads:
        torch.set_num_threads(conf.train.threads)
    out = Path(conf.output_dir)
    ckpt_dir = out / "checkpoint"
    accelerator = Accelerator(mixed_precision=conf.train.mixed_precision)
    torch.manual_seed(conf.train.seed)

    if not (out / "tokenizer.json").exists():
        if accelerator.is_main_process:
            if conf.init_from:
                AutoTokenizer.from_pretrained(conf.init_from).save_pretrained(out)
            else:
                from training.train_tokenizer import build
                build(sentences(conf.segmented, conf.data_dir), conf.vocab_size,
                      conf.model.max_position_embeddings - 2).save_pretrained(out)
        accelerator.wait_for_everyone()
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = RobertaForMaskedLM(roberta_config(conf.model, tokenizer))
    if conf.init_from:
        start = RobertaForMaskedLM.from_pretrained(conf.init_from, dtype=torch.float32)
        theirs, ours = start.config, model.config
        for key in ("vocab_size", *vars(ModelShape()).keys()):
            if getattr(theirs, key) != getattr(ours, key):
                raise SystemExit(f"{conf.init_from}: {key} is {getattr(theirs, key)}, the config says "
                                 f"{getattr(ours, key)}")
        model.load_state_dict(start.state_dict())
        del start
    if conf.init_embeddings:
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
    plan = {"steps": conf.train.max_steps}
    sched = linear_schedule(optim, conf.train.warmup_steps, plan)
    model, optim, sched = accelerator.prepare(model, optim, sched)

    step, tokens_seen, elapsed_before = 0, 0, 0.0
    if (ckpt_dir / "progress.json").exists():
        accelerator.load_state(str(ckpt_dir))
        progress = json.loads((ckpt_dir / "progress.json").read_text())
        step, tokens_seen, elapsed_before = progress["step"], progress["tokens_seen"], progress["seconds"]
        if not plan["steps"]:  # a fitted run resumes with the step count it planned
            plan["steps"] = progress.get("planned_steps") or 0
        accelerator.print(f"resumed at step {step}")

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=conf.train.mlm_probability)
    data = batches(conf, tokenizer, collator, skip=step)
    log_path = out / "pretrain_log.jsonl"
    started = time.time()
    model.train()
    bar = tqdm(total=plan["steps"] or None, initial=step, desc="pretrain", disable=not accelerator.is_main_process)
    window_tokens, window_start, window_loss = 0, time.time(), []
    probe_from, probe_start = step + 5, None  # the first steps after a (re)start are slower

    def save():
        accelerator.wait_for_everyone()
        accelerator.save_state(str(ckpt_dir))
        if accelerator.is_main_process:
            (ckpt_dir / "progress.json").write_text(json.dumps(
                {"step": step, "tokens_seen": tokens_seen, "seconds": elapsed_before + time.time() - started,
                 "planned_steps": plan["steps"]}))

    while not plan["steps"] or step < plan["steps"]:
        batch = with_picked(next(data))
        n_tok = int(batch["attention_mask"].sum()) * accelerator.num_processes  # counted before the copy: no sync
        batch = {k: v.to(accelerator.device) for k, v in batch.items()}
        with accelerator.autocast():  # mlm_loss calls submodules, which the prepared forward's autocast misses
            loss = mlm_loss(model, batch, accelerator)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad()
        step += 1
        tokens_seen += n_tok
        window_tokens += n_tok
        window_loss.append(loss.detach())  # read at log time only, so a GPU runs ahead
        bar.update(1)
        if not plan["steps"]:  # fit the step count to max_minutes, timed after the first steps
            if step == probe_from:
                probe_start = time.time()
            elif step == probe_from + conf.train.probe_steps:
                per_step = (time.time() - probe_start) / conf.train.probe_steps
                left = conf.train.max_minutes * 60 - (time.time() - started)
                plan["steps"] = step + int(0.97 * left / per_step)
                bar.total = plan["steps"]
                accelerator.print(f"{per_step * 1000:.1f} ms a step: planning {plan['steps']} steps")
        if step % conf.train.log_every == 0 and accelerator.is_main_process:
            rate = window_tokens / (time.time() - window_start)
            row = {"step": step, "loss": float(torch.stack(window_loss).float().mean()), "tokens_per_s": round(rate),
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
        conf.train.max_steps = plan["steps"]  # a fitted run records the count it planned, to rerun as is
        summary = {"steps": step, "tokens_seen": tokens_seen, "parameters": n_params,
                   "seconds": round(elapsed_before + time.time() - started),
                   "hardware": hardware(accelerator), "init_from": conf.init_from, "config": cfg.as_dict(conf)}
        (out / "pretrain_summary.json").write_text(json.dumps(summary, indent=1))
        accelerator.print(json.dumps({k: v for k, v in summary.items() if k != "config"}))


if __name__ == "__main__":
    main()
