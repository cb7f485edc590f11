"""Score a trained model on one split of the gold data, through the predictor users call.

    python -m training.evaluate configs/ner.yaml src/model/default/ner --split dev
    python -m training.evaluate configs/ner.yaml src/model/default/ner --split dev --decode argmax

The config names the data files and the split file; the model folder is any
``save_pretrained`` output of ``training.train``. Prints the same entry that
``eval_report.json`` holds for that split.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from training import config as cfg
from training.train import TrainConfig, evaluate, task_splits


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config", help="YAML file in configs/ (task, data files, split file)")
    ap.add_argument("model_dir")
    ap.add_argument("--split", default="dev", choices=("train", "dev", "test"))
    ap.add_argument("--decode", default="viterbi", choices=("viterbi", "argmax"),
                    help="NER: most probable valid IOB2 sequence (default) or the best tag per word")
    args = ap.parse_args(argv)
    conf = cfg.load(TrainConfig, args.config)
    records = task_splits(conf)[args.split]
    if not records:
        raise SystemExit(f"{args.config}: no {args.split} documents for task {conf.task!r}")
    print(json.dumps(evaluate(Path(args.model_dir), conf.task, records, args.decode), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
