"""Fine-tune the NER model or the article-type classifier from one YAML config.

    python -m training.train configs/ner.yaml
    python -m training.train configs/classifier.yaml --encoder vinai/phobert-base-v2
    accelerate launch -m training.train configs/ner.yaml          # several GPUs / machines

Writes a ``save_pretrained`` folder (safetensors, tokenizer, label maps in
config.json) and ``eval_report.json`` beside it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch

from model.labels import BIO_LABELS, DOC_LABELS
from training import config as cfg
from training import gold

DEFAULT_ENCODER = Path(__file__).resolve().parents[1] / "src" / "model" / "default" / "encoder"


@dataclass
class DataConfig:
    files: list[str]  # gold JSONL or Label Studio JSON exports
    split_file: str | None = "data/splits.json"  # None: every document of `files` trains
    dev_files: list[str] = field(default_factory=list)  # used when split_file is None
    test_files: list[str] = field(default_factory=list)


@dataclass
class TrainConfig:
    task: str  # "ner" or "classifier"
    output_dir: str
    data: DataConfig
    encoder: str = "default"  # "default" (shipped encoder), a folder, or a hub name
    epochs: float = 10.0
    learning_rate: float = 1e-4
    batch_size: int = 16
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 256  # tokens per window, specials included
    stride: int = 32  # overlap between windows of a long sentence (NER)
    doc_max_chunks: int = 4  # classifier: windows of the article read and averaged
    class_weight: str = "none"  # classifier: "balanced" weighs each label by n / (k * count) in the loss
    seed: int = 42
    threads: int = 0
    report_test: bool = True  # score the test split in the report (never used for selection)

    def check(self):
        if self.task not in ("ner", "classifier"):
            raise cfg.ConfigError(f"task: expected 'ner' or 'classifier', got {self.task!r}")
        if self.max_length < 8:
            raise cfg.ConfigError("max_length: must be at least 8")
        if not 0 <= self.stride < self.max_length // 2:
            raise cfg.ConfigError("stride: must be between 0 and max_length / 2")
        if self.class_weight not in ("none", "balanced"):
            raise cfg.ConfigError(f"class_weight: expected 'none' or 'balanced', got {self.class_weight!r}")


def resolve_encoder(name: str) -> str:
    return str(DEFAULT_ENCODER) if name == "default" else name


# ------------------------------------------------------------------ data

def read_any(path: str) -> list[dict]:
    if path.endswith(".json"):
        from training.convert import from_labelstudio
        return from_labelstudio(json.loads(Path(path).read_text(encoding="utf-8")), path)
    return gold.load([path])


def load_splits(conf: TrainConfig) -> dict[str, list[dict]]:
    records = [r for f in conf.data.files for r in read_any(f)]
    problems = [f"{r.get('id')}: {why}" for r in records for why in gold.check_record(r)]
    if problems:
        raise SystemExit("invalid training data:\n  " + "\n  ".join(problems[:20]))
    if conf.data.split_file is None:
        return {"train": records,
                "dev": [r for f in conf.data.dev_files for r in read_any(f)],
                "test": [r for f in conf.data.test_files for r in read_any(f)]}
    from training.split import load_split
    split = load_split(conf.data.split_file)
    held = split["dev"] | split["test"]
    # documents the split file does not know (new annotations) go to training
    return {"train": [r for r in records if r["id"] not in held],
            "dev": [r for r in records if r["id"] in split["dev"]],
            "test": [r for r in records if r["id"] in split["test"]]}


def task_splits(conf: TrainConfig) -> dict[str, list[dict]]:
    """The splits, keeping the documents annotated for the config's task."""
    keep = (lambda r: r.get("entities") is not None) if conf.task == "ner" else (lambda r: bool(r.get("doc_label")))
    return {k: [r for r in v if keep(r)] for k, v in load_splits(conf).items()}


def file_hashes(paths: list[str]) -> dict[str, str]:
    return {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths if Path(p).exists()}


# ------------------------------------------------------------- examples

def tagged_windows(encoder, words: list[str], tags: list[str], label2id: dict) -> list[dict]:
    """Training windows of one sentence: each word's first subword carries its tag, the rest -100."""
    out = []
    for win in encoder.windows(words):
        labels = [-100] * len(win.input_ids)
        for k, pos in enumerate(win.first_token):
            labels[pos] = label2id[tags[win.word_offset + k]]
        out.append({"input_ids": win.input_ids, "labels": labels})
    return out


def ner_examples(records, encoder) -> list[dict]:
    from training.convert import words_with_tags

    label2id = {l: i for i, l in enumerate(BIO_LABELS)}
    return [ex for rec in records for sent in words_with_tags(rec)
            for ex in tagged_windows(encoder, [w for w, *_ in sent], [t for *_, t in sent], label2id)]


def doc_words(rec) -> list[str]:
    from model.text import segment
    return [w.text for s in segment(rec["text"]) for w in s.words]


def classifier_examples(records, encoder, max_chunks) -> list[dict]:
    label2id = {l: i for i, l in enumerate(DOC_LABELS)}
    out = []
    for rec in records:
        for win in encoder.windows(doc_words(rec))[:max_chunks]:
            out.append({"input_ids": win.input_ids, "labels": label2id[rec["doc_label"]]})
    return out


# --------------------------------------------------------------- training

def build(conf: TrainConfig):
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer

    name = resolve_encoder(conf.encoder)
    tokenizer = AutoTokenizer.from_pretrained(name)
    labels = BIO_LABELS if conf.task == "ner" else DOC_LABELS
    auto = AutoModelForTokenClassification if conf.task == "ner" else AutoModelForSequenceClassification
    model = auto.from_pretrained(name, dtype=torch.float32, num_labels=len(labels), id2label=dict(enumerate(labels)),
                                 label2id={l: i for i, l in enumerate(labels)})
    # read back by the predictor
    model.config.window_length = conf.max_length
    model.config.window_stride = conf.stride if conf.task == "ner" else 0
    if conf.task == "classifier":
        model.config.doc_max_chunks = conf.doc_max_chunks
    return model, tokenizer


def balanced_weights(labels: list[int], n_labels: int) -> torch.Tensor:
    """n / (k * count): each label weighs the same in the loss however rare it is (macro-F1 is the target)."""
    counts = torch.bincount(torch.tensor(labels), minlength=n_labels).float()
    return len(labels) / (n_labels * counts.clamp_min(1))


def weighted_trainer(weights: torch.Tensor):
    from transformers import Trainer

    class WeightedTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weights.to(outputs.logits.device))
            return (loss, outputs) if return_outputs else loss

    return WeightedTrainer


def fit_temperature(logits: torch.Tensor, gold: torch.Tensor) -> float:
    """Temperature that minimises dev NLL (Guo et al. 2017), searched on a log grid."""
    best_t, best = 1.0, math.inf
    for k in range(-20, 31):
        t = 10 ** (k / 20)
        nll = torch.nn.functional.cross_entropy(logits / t, gold).item()
        if nll < best:
            best_t, best = t, nll
    return best_t


def window_metrics(task: str):
    """Dev metric that picks the best epoch: strict entity F1 (seqeval) over first
    subwords for NER, macro-F1 over windows for the classifier."""

    def ner(pred):
        from seqeval.metrics import f1_score
        from seqeval.scheme import IOB2

        ids = pred.predictions.argmax(-1)
        gold, guess = [], []
        for p_row, l_row in zip(ids, pred.label_ids):
            keep = l_row != -100
            gold.append([BIO_LABELS[i] for i in l_row[keep]])
            guess.append([BIO_LABELS[i] for i in p_row[keep]])
        return {"f1": f1_score(gold, guess, mode="strict", scheme=IOB2)}

    def classifier(pred):
        from training.metrics import classification_scores

        guess, gold = pred.predictions.argmax(-1), pred.label_ids
        return {"f1": classification_scores([DOC_LABELS[i] for i in gold], [DOC_LABELS[i] for i in guess])["macro_f1"]}

    return ner if task == "ner" else classifier


def train(conf: TrainConfig, config_path: str = "-") -> dict:
    from datasets import Dataset
    from transformers import (DataCollatorForTokenClassification, DataCollatorWithPadding, Trainer,
                              TrainingArguments, set_seed)

    import model as package
    from model.encoding import WordEncoder

    set_seed(conf.seed)
    if conf.threads:
        torch.set_num_threads(conf.threads)
    splits = task_splits(conf)
    if not splits["train"]:
        raise SystemExit(f"no training documents for task {conf.task!r} in {conf.data.files}")
    net, tokenizer = build(conf)
    encoder = WordEncoder(tokenizer, conf.max_length, conf.stride if conf.task == "ner" else 0)
    if conf.task == "ner":
        make = lambda recs: ner_examples(recs, encoder)  # noqa: E731
        collator = DataCollatorForTokenClassification(tokenizer)
    else:
        make = lambda recs: classifier_examples(recs, encoder, conf.doc_max_chunks)  # noqa: E731
        collator = DataCollatorWithPadding(tokenizer)
    train_ds = Dataset.from_list(make(splits["train"]))
    dev_ds = Dataset.from_list(make(splits["dev"])) if splits["dev"] else None
    out = Path(conf.output_dir)
    work = out / "checkpoints"
    args = TrainingArguments(
        output_dir=str(work), num_train_epochs=conf.epochs, learning_rate=conf.learning_rate,
        per_device_train_batch_size=conf.batch_size, per_device_eval_batch_size=conf.batch_size * 2,
        weight_decay=conf.weight_decay, warmup_steps=conf.warmup_ratio,  # a float < 1 is a ratio
        seed=conf.seed, data_seed=conf.seed,
        eval_strategy="epoch" if dev_ds is not None else "no", save_strategy="epoch" if dev_ds is not None else "no",
        load_best_model_at_end=dev_ds is not None, metric_for_best_model="f1", greater_is_better=True,
        save_total_limit=1, logging_strategy="epoch", report_to=[], use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0, disable_tqdm=not sys.stderr.isatty(),
    )
    trainer_class = Trainer
    if conf.task == "classifier" and conf.class_weight == "balanced":
        trainer_class = weighted_trainer(balanced_weights(train_ds["labels"], len(DOC_LABELS)))
    trainer = trainer_class(model=net, args=args, train_dataset=train_ds, eval_dataset=dev_ds, data_collator=collator,
                      compute_metrics=window_metrics(conf.task))
    trainer.train()
    net = trainer.model.cpu().eval()

    report = {"task": conf.task, "package_version": package.__version__, "config": cfg.as_dict(conf),
              "config_file": config_path, "encoder": resolve_encoder(conf.encoder),
              "data": {"files": file_hashes(conf.data.files + conf.data.dev_files + conf.data.test_files
                                             + ([conf.data.split_file] if conf.data.split_file else [])),
                       "documents": {k: len(v) for k, v in splits.items()}},
              "train_examples": len(train_ds), "log": trainer.state.log_history}
    if conf.task == "classifier" and splits["dev"]:
        logits, gold_ids = doc_logits(net, tokenizer, splits["dev"], conf)
        net.config.calibration_temperature = fit_temperature(logits, gold_ids)
        report["calibration_temperature"] = net.config.calibration_temperature
    out.mkdir(parents=True, exist_ok=True)
    net.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    shutil.rmtree(work, ignore_errors=True)
    for name in ("dev", "test"):
        if splits[name] and (name == "dev" or conf.report_test):
            report[name] = evaluate(out, conf.task, splits[name])
    (out / "eval_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def doc_logits(net, tokenizer, records, conf):
    from model.encoding import WordEncoder
    enc = WordEncoder(tokenizer, conf.max_length, 0)
    label2id = {l: i for i, l in enumerate(DOC_LABELS)}
    rows = []
    with torch.inference_mode():
        for rec in records:
            wins = enc.windows(doc_words(rec))[:conf.doc_max_chunks] or enc.windows(["."])
            lg = [net(input_ids=torch.tensor([w.input_ids])).logits[0] for w in wins]
            rows.append(torch.stack(lg).mean(0))
    return torch.stack(rows), torch.tensor([label2id[r["doc_label"]] for r in records])


def evaluate(model_dir: Path, task: str, records: list[dict], decode: str = "viterbi") -> dict:
    """Scores through the same predictor users call, on whole documents."""
    from model.predictor import load
    from training.metrics import classification_scores, ner_scores

    bundle = model_dir.parent / f".eval-{model_dir.name}"
    shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir(parents=True)
    (bundle / ("ner" if task == "ner" else "classifier")).symlink_to(model_dir.resolve())
    try:
        predictor = load(bundle, device="cpu")
        predictor.decode = decode
        results = predictor.predict_many([r["text"] for r in records])
    finally:
        shutil.rmtree(bundle, ignore_errors=True)
    if task == "ner":
        pred = [{"id": r["id"], "text": r["text"],
                 "entities": [{"start": e.start, "end": e.end, "label": e.label} for e in res.entities]}
                for r, res in zip(records, results)]
        return {"documents": len(records), "entities": ner_scores(records, pred)}
    return {"documents": len(records),
            **classification_scores([r["doc_label"] for r in records], [res.doc_label for res in results],
                                    [res.doc_scores for res in results])}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config", help="YAML file in configs/")
    ap.add_argument("--encoder", help="override: 'default', a folder, or a hub name such as vinai/phobert-base-v2")
    ap.add_argument("--output-dir", help="override the config's output_dir")
    ap.add_argument("--epochs", type=float, help="override the config's epochs")
    args = ap.parse_args(argv)
    try:
        conf = cfg.load(TrainConfig, args.config, {"encoder": args.encoder, "output_dir": args.output_dir,
                                                    "epochs": args.epochs})
    except cfg.ConfigError as err:
        raise SystemExit(f"config error: {err}") from None
    report = train(conf, args.config)
    for name in ("dev", "test"):
        if name in report:
            r = report[name]
            headline = (r["entities"]["micro avg"]["f1"] if conf.task == "ner" else r["macro_f1"])
            print(f"{name}: {'micro-F1' if conf.task == 'ner' else 'macro-F1'} {headline:.4f} ({r['documents']} documents)")
    print(f"model and eval_report.json written to {conf.output_dir}")


if __name__ == "__main__":
    main()
