"""Named entities and article type for Vietnamese news files.

    python -m model.predict article.txt
    python -m model.predict folder/ other.txt --format jsonl > out.jsonl
    cat article.txt | python -m model.predict - --format json

Files are read as UTF-8 exactly as they are (newline="", so CRLF counts as two
characters); a leading BOM is kept and counted, so offsets index the file's
characters as Python reads them with encoding="utf-8".
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FORMATS = ("text", "json", "jsonl", "conll")


class InputError(Exception):
    pass


def expand(inputs: list[str]) -> tuple[list[str], list[str]]:
    """(paths or '-', errors) for the given files, folders and '-'."""
    paths, errors = [], []
    for item in inputs:
        p = Path(item)
        if item == "-":
            paths.append("-")
        elif p.is_dir():
            found = sorted(str(f) for f in p.rglob("*.txt") if f.is_file())
            if not found:
                errors.append(f"{item}: folder has no .txt files")
            paths.extend(found)
        elif p.exists():
            paths.append(item)
        else:
            errors.append(f"{item}: no such file or folder")
    return paths, errors


def read_text(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}") from None
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})") from None
    if not text.strip():
        raise InputError("empty file" if not text else "file has only whitespace")
    return text


def to_record(name: str, result) -> dict:
    d = result.to_dict()
    return {"file": name, "doc_label": d["doc_label"], "doc_scores": d["doc_scores"],
            "entities": d["entities"], "officials": d["officials"]}


def render_text(name: str, text: str, result) -> str:
    lines = [f"== {name}"]
    if result.doc_label:
        probs = ", ".join(f"{k} {v:.2f}" for k, v in sorted(result.doc_scores.items(), key=lambda kv: -kv[1]))
        lines.append(f"article type: {result.doc_label}  ({probs})")
    lines.append(f"entities: {len(result.entities)}")
    if result.entities:
        lines.append(f"  {'start':>7} {'end':>7}  {'label':<6} {'score':>5}  text")
        for e in result.entities:
            shown = " ".join(e.text.split())
            lines.append(f"  {e.start:>7} {e.end:>7}  {e.label:<6} {e.score:>5.2f}  {shown}")
    with_office = [o for o in result.officials if o.offices]
    if with_office:
        lines.append("officials:")
        for o in with_office:
            lines.append(f"  {o.name}: " + "; ".join(" ".join(p.text.split()) for p in o.offices))
    return "\n".join(lines) + "\n"


def render_conll(name: str, text: str, result) -> str:
    from model.bio import words_with_tags

    rec = {"id": name, "text": text,
           "entities": [{"start": e.start, "end": e.end, "label": e.label} for e in result.entities]}
    out = [f"# file = {name}"]
    if result.doc_label:
        out.append(f"# doc_label = {result.doc_label}")
    for sent in words_with_tags(rec):
        out.extend(f"{w}\t{a}-{b}\t{t}" for w, a, b, t in sent)
        out.append("")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.predict", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", metavar="FILE", help="text files, folders (every .txt inside) or - for stdin")
    ap.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    ap.add_argument("--model", help="model folder with ner/ and classifier/ (default: the shipped model)")
    ap.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    ap.add_argument("--batch-size", type=int, default=16, help="windows per forward pass and documents per group")
    args = ap.parse_args(argv)
    if args.batch_size < 1:
        ap.error("--batch-size must be at least 1")

    paths, errors = expand(args.inputs)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if not paths:
        return 1
    import model
    from tqdm.auto import tqdm
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # keep stderr for our own progress and errors

    try:
        predictor = model.load(args.model, device=args.device, batch_size=args.batch_size)
    except (FileNotFoundError, OSError, ValueError) as err:
        print(f"error: cannot load model: {err}", file=sys.stderr)
        return 1
    failed = len(errors)
    records = []
    show_bar = len(paths) > 1 and sys.stderr.isatty()
    bar = tqdm(total=len(paths), unit="file", disable=not show_bar, file=sys.stderr)
    for start in range(0, len(paths), args.batch_size):
        group = []
        for path in paths[start:start + args.batch_size]:
            name = "<stdin>" if path == "-" else path
            try:
                group.append((name, read_text(path)))
            except InputError as err:
                print(f"error: {name}: {err}", file=sys.stderr)
                failed += 1
                bar.update(1)
        results = predictor.predict_many([t for _, t in group]) if group else []
        for (name, text), result in zip(group, results):
            if args.format == "text":
                sys.stdout.write(render_text(name, text, result))
            elif args.format == "conll":
                sys.stdout.write(render_conll(name, text, result))
            elif args.format == "jsonl":
                sys.stdout.write(json.dumps(to_record(name, result), ensure_ascii=False) + "\n")
            else:
                records.append(to_record(name, result))
            bar.update(1)
        sys.stdout.flush()
    bar.close()
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
