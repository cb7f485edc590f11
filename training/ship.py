"""Copy trained models into the package as its offline default (weights stored in float16).

    python -m training.ship --encoder outputs/encoder --model outputs/model

float16 halves the files; the predictor loads them back as float32.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import torch
from transformers import AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification, \
    AutoModelForTokenClassification, AutoTokenizer

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "model" / "default"
KEEP = ("eval_report.json", "pretrain_summary.json", "pretrain_log.jsonl")


def ship_one(src: Path, dst: Path, auto=AutoModel) -> None:
    model = auto.from_pretrained(src, dtype=torch.float32)
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    model.half().save_pretrained(dst, safe_serialization=True)
    AutoTokenizer.from_pretrained(src).save_pretrained(dst)
    for name in KEEP:
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    print(f"{src} -> {dst}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--encoder", type=Path, help="pretrained encoder folder (training.pretrain output)")
    ap.add_argument("--model", type=Path, help="folder with ner/ and classifier/ (training.train outputs)")
    ap.add_argument("--to", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    if args.encoder:
        ship_one(args.encoder, args.to / "encoder", AutoModelForMaskedLM)
    if args.model:
        ship_one(args.model / "ner", args.to / "ner", AutoModelForTokenClassification)
        ship_one(args.model / "classifier", args.to / "classifier", AutoModelForSequenceClassification)


if __name__ == "__main__":
    main()
