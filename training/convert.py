"""Converters: gold JSONL <-> word-level CoNLL BIO, gold JSONL <-> Label Studio JSON.

CoNLL files keep the original text and each word's offsets so that a round
trip restores every span exactly; a plain two-column CoNLL file (word, tag)
is read too, its text rebuilt by joining words with spaces.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from model.bio import spans_from_tags, words_with_tags  # noqa: F401 - part of this module's API
from training import gold


# ---------------------------------------------------------------- CoNLL

def to_conll(records: list[dict], path: str, warn=None) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for rec in records:
            out.write(f"# id = {rec['id']}\n")
            if rec.get("doc_label"):
                out.write(f"# doc_label = {rec['doc_label']}\n")
            out.write(f"# source = {rec.get('source', 'gold')}\n")
            out.write(f"# text = {json.dumps(rec['text'], ensure_ascii=False)}\n")
            for sent in words_with_tags(rec, warn):
                for word, a, b, tag in sent:
                    out.write(f"{word}\t{a}-{b}\t{tag}\n")
                out.write("\n")


def from_conll(path: str) -> list[dict]:
    records, cur, rows = [], None, []

    def finish():
        if cur is None and not rows:
            return
        rec = cur or {"id": f"{Path(path).stem}-{len(records)}", "source": "gold"}
        if "text" not in rec:  # plain CoNLL: rebuild the text from the words
            parts, pos, placed = [], 0, []
            for word, _, tag in rows:
                if word is None:
                    parts.append("\n")
                    pos += 1
                    continue
                surface = word.replace("_", " ")
                if parts and parts[-1] != "\n":
                    parts.append(" ")
                    pos += 1
                placed.append((pos, pos + len(surface), tag))
                parts.append(surface)
                pos += len(surface)
            rec["text"] = "".join(parts).strip("\n")
            rec["entities"] = spans_from_tags(placed)
        else:
            rec["entities"] = spans_from_tags([(*ab, t) for w, ab, t in rows if w is not None])
        records.append(rec)

    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if line.startswith("# "):
                key, _, value = line[2:].partition(" = ")
                if key == "id":
                    finish()
                    cur, rows = {"id": value, "source": "gold"}, []
                elif key == "text":
                    cur["text"] = json.loads(value)
                elif key in ("doc_label", "source") and cur is not None:
                    cur[key] = value
                continue
            if not line.strip():
                rows.append((None, None, None))
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            if len(cols) < 2:
                raise ValueError(f"{path}:{lineno}: expected 'word [start-end] tag', got {line!r}")
            offsets = None
            if len(cols) >= 3 and "-" in cols[1]:
                a, _, b = cols[1].partition("-")
                offsets = (int(a), int(b))
            rows.append((cols[0], offsets, cols[-1]))
    finish()
    return records


# ---------------------------------------------------------- Label Studio
# Label Studio's offsets are JavaScript string indices (UTF-16 code units);
# Python's are code points. They differ only after astral characters (emoji).

def _to_utf16(text: str, pos: int) -> int:
    return pos + sum(1 for c in text[:pos] if ord(c) > 0xFFFF)


def _from_utf16(text: str, pos16: int) -> int:
    i = n = 0
    while n < pos16 and i < len(text):
        n += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


def to_labelstudio(records: list[dict], as_predictions: bool = False, model_version: str = "gold") -> list[dict]:
    tasks = []
    for rec in records:
        text = rec["text"]
        result = [{
            "id": f"e{k}", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": _to_utf16(text, e["start"]), "end": _to_utf16(text, e["end"]),
                      "text": text[e["start"]:e["end"]], "labels": [e["label"]]},
        } for k, e in enumerate(rec.get("entities") or [])]
        if rec.get("doc_label"):
            result.append({"id": "doc", "from_name": "doc_label", "to_name": "text", "type": "choices",
                           "value": {"choices": [rec["doc_label"]]}})
        task = {"data": {"id": rec["id"], "text": text}}
        if as_predictions:
            task["predictions"] = [{"model_version": model_version, "result": result}]
        else:
            task["annotations"] = [{"result": result}]
        tasks.append(task)
    return tasks


def from_labelstudio(tasks: list[dict], path: str = "<labelstudio>") -> list[dict]:
    records = []
    for k, task in enumerate(tasks):
        data = task.get("data") or {}
        text = data.get("text")
        if not isinstance(text, str):
            raise ValueError(f"{path}: task {k}: no data.text")
        done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not done:
            continue  # not annotated yet: nothing gold to take
        result = done[-1].get("result") or []
        entities, doc_label = [], None
        for item in result:
            value = item.get("value") or {}
            if item.get("type") == "labels":
                start = _from_utf16(text, value["start"])
                end = _from_utf16(text, value["end"])
                entities.append({"start": start, "end": end, "label": value["labels"][0]})
            elif item.get("type") == "choices" and value.get("choices"):
                doc_label = value["choices"][0]
        rec = {"id": str(data.get("id", f"ls-{task.get('id', k)}")), "text": text}
        if doc_label:
            rec["doc_label"] = doc_label
        rec["entities"] = sorted(entities, key=lambda e: e["start"])
        rec["source"] = "gold"
        records.append(rec)
    return records


# ------------------------------------------------------------------ CLI

def _warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def add_commands(sub) -> None:
    p = sub.add_parser("to-conll", help="gold JSONL -> word-level CoNLL BIO")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=lambda a: to_conll(gold.load([a.file]), a.out, _warn) or 0)
    p = sub.add_parser("from-conll", help="CoNLL BIO -> gold JSONL")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=lambda a: gold.write_jsonl(from_conll(a.file), a.out) or 0)
    p = sub.add_parser("to-labelstudio", help="gold JSONL -> Label Studio tasks")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.add_argument("--predictions", action="store_true", help="as pre-annotations (predictions) to review")
    p.set_defaults(func=lambda a: Path(a.out).write_text(json.dumps(
        to_labelstudio(gold.load([a.file]), a.predictions), ensure_ascii=False, indent=1), encoding="utf-8") and 0)
    p = sub.add_parser("from-labelstudio", help="Label Studio JSON export -> gold JSONL")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.set_defaults(func=lambda a: gold.write_jsonl(from_labelstudio(
        json.loads(Path(a.file).read_text(encoding="utf-8")), a.file), a.out) or 0)
