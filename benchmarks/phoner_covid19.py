"""Does pretraining help? Fine-tune the NER head on PhoNER_COVID19 (word level)
from the pretrained encoder and from the same architecture randomly initialised,
with the same recipe in the same run, and print strict micro-F1 on its test split.

    python benchmarks/phoner_covid19.py --data-dir ../shared/benchmarks/phoner_covid19

The data is read by path and never copied (its licence forbids redistribution).
The last line is exactly ``micro-F1 pretrained=0.XXXX random=0.XXXX``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the training package, when run from a clone


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                if words:
                    sents.append((words, tags))
                words, tags = [], []
                continue
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        sents.append((words, tags))
    return sents


@torch.inference_mode()
def predict(net, encoder, sents, id2label, batch_size=64):
    net.eval()
    jobs = [(i, w) for i, (words, _) in enumerate(sents) for w in encoder.windows(words)]
    pred = [["O"] * len(words) for words, _ in sents]
    pad = encoder.tokenizer.pad_token_id
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][1].input_ids))
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        width = max(len(jobs[j][1].input_ids) for j in idx)
        ids = torch.full((len(idx), width), pad)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for r, j in enumerate(idx):
            seq = jobs[j][1].input_ids
            ids[r, :len(seq)] = torch.tensor(seq)
            mask[r, :len(seq)] = 1
        logits = net(input_ids=ids, attention_mask=mask).logits
        for r, j in enumerate(idx):
            sent, w = jobs[j]
            for k in range(w.keep_from, w.keep_to):
                pred[sent][k] = id2label[int(logits[r, w.first_token[k - w.word_offset]].argmax())]
    return pred


def run(name, net, tokenizer, train, test, labels, args) -> float:
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2
    from datasets import Dataset
    from transformers import DataCollatorForTokenClassification, Trainer, TrainingArguments

    from model.encoding import WordEncoder
    from training.train import tagged_windows

    label2id = {l: i for i, l in enumerate(labels)}
    encoder = WordEncoder(tokenizer, args.max_length, 32)
    ds = Dataset.from_list([ex for words, tags in train for ex in tagged_windows(encoder, words, tags, label2id)])
    targs = TrainingArguments(output_dir=str(args.work / name), num_train_epochs=args.epochs,
                              learning_rate=args.learning_rate, per_device_train_batch_size=args.batch_size,
                              warmup_steps=0.1, weight_decay=0.01, seed=args.seed, data_seed=args.seed,
                              save_strategy="no", eval_strategy="no", logging_strategy="no", report_to=[],
                              train_sampling_strategy="group_by_length",  # similar lengths per batch: far less padding
                              disable_tqdm=not sys.stderr.isatty())
    started = time.time()
    Trainer(model=net, args=targs, train_dataset=ds,
            data_collator=DataCollatorForTokenClassification(tokenizer)).train()
    pred = predict(net, encoder, test, dict(enumerate(labels)))
    f1 = f1_score([t for _, t in test], pred, mode="strict", scheme=IOB2)
    print(f"{name}: test micro-F1 {f1:.4f} ({time.time() - started:.0f} s, {args.epochs} epochs)", flush=True)
    return f1


def main(argv=None) -> None:
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer, set_seed

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True, type=Path, help="folder with train_word.conll and test_word.conll")
    ap.add_argument("--encoder", default=str(ROOT / "src/model/default/encoder"))
    ap.add_argument("--epochs", type=float, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--learning-rate", type=float, default=3e-4)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--train-limit", type=int, default=None, help="use only the first N training sentences")
    ap.add_argument("--work", type=Path, default=Path("/tmp/phoner_bench"))
    args = ap.parse_args(argv)

    train = read_conll(args.data_dir / "train_word.conll")[: args.train_limit]
    test = read_conll(args.data_dir / "test_word.conll")
    labels = ["O"] + sorted({t for _, tags in train for t in tags} - {"O"})
    kw = dict(num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    tokenizer = AutoTokenizer.from_pretrained(args.encoder)
    print(f"PhoNER_COVID19: {len(train)} train / {len(test)} test sentences, {len(labels)} tags; "
          f"encoder {args.encoder}; torch threads {torch.get_num_threads()}", flush=True)

    set_seed(args.seed)
    pretrained = AutoModelForTokenClassification.from_pretrained(args.encoder, dtype=torch.float32, **kw)
    f1_pre = run("pretrained", pretrained, tokenizer, train, test, labels, args)
    set_seed(args.seed)
    random_init = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(args.encoder, **kw), dtype=torch.float32)
    f1_rand = run("random", random_init, tokenizer, train, test, labels, args)
    print(f"micro-F1 pretrained={f1_pre:.4f} random={f1_rand:.4f}")


if __name__ == "__main__":
    main()
