"""Command line for the annotation data: validate, stats, convert, markup.

    python -m training.data validate FILE...
    python -m training.data stats FILE...
    python -m training.data markup check ANN --source TXT
    python -m training.data markup import ANN... --sources DIR --out FILE [--id-prefix P]
    python -m training.data markup export FILE --out DIR
    python -m training.data to-conll FILE --out FILE.conll
    python -m training.data from-conll FILE.conll --out FILE.jsonl
    python -m training.data to-labelstudio FILE --out FILE.json [--predictions]
    python -m training.data from-labelstudio FILE.json --out FILE.jsonl
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from model.labels import DOC_LABELS, ENTITY_LABELS
from training import gold, markup


def cmd_validate(args) -> int:
    problems = gold.validate(args.files)
    for p in problems:
        print(p)
    n = sum(1 for f in args.files if Path(f).exists() for _ in _safe_lines(f))
    if problems:
        print(f"{len(problems)} problem(s) in {len(args.files)} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {n} document(s) in {len(args.files)} file(s)")
    return 0


def _read(path) -> str:
    # newline="" keeps CR/CRLF exactly as in the file: offsets must index the real text
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _safe_lines(path):
    try:
        yield from gold.read_jsonl(path)
    except ValueError:
        return


def stats(records: list[dict]) -> str:
    with_ents = [r for r in records if r.get("entities") is not None]
    per_label = Counter(e["label"] for r in with_ents for e in r["entities"])
    doc_labels = Counter(r.get("doc_label") for r in records if r.get("doc_label"))
    ner_doc_labels = Counter(r.get("doc_label") for r in with_ents if r.get("doc_label"))
    rows = [
        f"documents: {len(records)} ({len(with_ents)} with entity annotation)",
        "entities: " + str(sum(per_label.values())),
    ]
    rows += [f"  {label:<6} {per_label[label]}" for label in ENTITY_LABELS]
    rows.append("doc labels (all documents / with entities):")
    rows += [f"  {label:<11} {doc_labels[label]} / {ner_doc_labels[label]}" for label in DOC_LABELS]
    return "\n".join(rows)


def cmd_stats(args) -> int:
    records = gold.load(args.files)
    if not args.split:
        print(stats(records))
        return 0
    from training.split import load_split
    split = load_split(args.split)
    known = set().union(*split.values())
    for name, ids in split.items():
        print(f"== {name}")
        print(stats([r for r in records if r["id"] in ids]))
    unknown = [r["id"] for r in records if r["id"] not in known]
    if unknown:
        print(f"== not in the split file ({len(unknown)}): training uses them")
    return 0


def cmd_markup_check(args) -> int:
    source = _read(args.source)
    ann = _read(args.ann)
    try:
        text, entities, doc_label = markup.parse(ann)
    except markup.MarkupError as err:
        print(f"{args.ann}: {err}")
        return 1
    diff = markup.check_against(source, text)
    rec = {"id": Path(args.ann).stem, "text": text, "doc_label": doc_label,
           "entities": entities, "source": "gold"}
    reasons = ([diff] if diff else []) + gold.check_record(rec)
    if doc_label is None:
        reasons.append("no '@@ doc_label=...' header line")
    for ent in entities:
        print(f"{ent['label']:<6} {text[ent['start']:ent['end']]}")
    for r in reasons:
        print(f"{args.ann}: {r}")
    print(f"{len(entities)} entities; {'OK' if not reasons else 'PROBLEMS'}")
    return 1 if reasons else 0


def cmd_markup_import(args) -> int:
    records, failed = [], 0
    for ann_path in args.ann:
        ann_path = Path(ann_path)
        source = _read(Path(args.sources) / (ann_path.stem + ".txt"))
        try:
            text, entities, doc_label = markup.parse(_read(ann_path))
        except markup.MarkupError as err:
            print(f"{ann_path}: {err}", file=sys.stderr)
            failed += 1
            continue
        diff = markup.check_against(source, text)
        if diff:
            print(f"{ann_path}: {diff}", file=sys.stderr)
            failed += 1
            continue
        records.append({"id": args.id_prefix + ann_path.stem, "text": source, "doc_label": doc_label,
                        "entities": entities, "source": "gold"})
    gold.write_jsonl(records, args.out)
    print(f"wrote {len(records)} record(s) to {args.out}; {failed} failed")
    return 1 if failed else 0


def cmd_markup_export(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for rec in gold.load([args.file]):
        (out / f"{rec['id']}.txt").write_text(rec["text"], encoding="utf-8", newline="")
        (out / f"{rec['id']}.ann").write_text(
            markup.render(rec["text"], rec.get("entities") or [], rec.get("doc_label")), encoding="utf-8", newline="")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check gold JSONL files")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("stats", help="documents, entities per label, doc labels")
    p.add_argument("files", nargs="+")
    p.add_argument("--split", help="split file (data/splits.json): stats for each split")
    p.set_defaults(func=cmd_stats)

    mk = sub.add_parser("markup", help="annotator inline markup").add_subparsers(dest="markup_command", required=True)
    p = mk.add_parser("check")
    p.add_argument("ann")
    p.add_argument("--source", required=True)
    p.set_defaults(func=cmd_markup_check)
    p = mk.add_parser("import")
    p.add_argument("ann", nargs="+")
    p.add_argument("--sources", required=True, help="folder with ID.txt for each ID.ann")
    p.add_argument("--out", required=True)
    p.add_argument("--id-prefix", default="")
    p.set_defaults(func=cmd_markup_import)
    p = mk.add_parser("export")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_markup_export)

    from training import convert  # noqa: WPS433 - keeps the segmenter off validate's path
    convert.add_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
