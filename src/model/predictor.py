"""Load the models once, then predict entities and the article type for many texts."""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer

from model.bio import allowed_transitions, viterbi
from model.encoding import WordEncoder
from model.officials import find_officials
from model.result import Entity, Result
from model.text import segment

DEFAULT_DIR = Path(__file__).parent / "default"


def _pick_device(device: str | None) -> torch.device:
    if device:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Predictor:
    """``predictor(text)`` or ``predictor.predict_many(texts)``.

    Built by :func:`load`. Either model may be missing: a bundle with only a
    NER model returns no article type, one with only a classifier no entities.
    """

    def __init__(self, ner=None, ner_tokenizer=None, classifier=None, classifier_tokenizer=None,
                 device: str | None = None, batch_size: int = 16):
        self.device = _pick_device(device)
        self.batch_size = batch_size
        self.ner = ner.to(self.device).eval() if ner is not None else None
        self.classifier = classifier.to(self.device).eval() if classifier is not None else None
        if self.ner is not None:
            cfg = self.ner.config
            self.ner_encoder = WordEncoder(ner_tokenizer, getattr(cfg, "window_length", 256), getattr(cfg, "window_stride", 32))
            self.id2label = {int(k): v for k, v in cfg.id2label.items()}
            self._bio = allowed_transitions([self.id2label[i] for i in range(len(self.id2label))])
        self.decode = "viterbi"  # or "argmax" (per word), kept for comparison: python -m training.evaluate --decode
        if self.classifier is not None:
            cfg = self.classifier.config
            self.cls_encoder = WordEncoder(classifier_tokenizer, getattr(cfg, "window_length", 256), 0)
            self.max_chunks = getattr(cfg, "doc_max_chunks", 4)
            self.temperature = getattr(cfg, "calibration_temperature", 1.0)
            self.doc_labels = [cfg.id2label[i] for i in range(cfg.num_labels)]

    def __call__(self, text: str) -> Result:
        return self.predict_many([text])[0]

    def predict_many(self, texts, batch_size: int | None = None, progress: bool = False) -> list[Result]:
        """Results in input order. Documents are batched together ``batch_size`` windows at a time."""
        from tqdm.auto import tqdm

        texts = list(texts)
        for k, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"document {k}: expected str, got {type(t).__name__}")
        batch_size = batch_size or self.batch_size
        results = []
        group = max(1, batch_size)  # documents segmented and run together
        with tqdm(total=len(texts), unit="doc", disable=not progress) as bar:
            for start in range(0, len(texts), group):
                chunk = texts[start:start + group]
                sentences = [segment(t) for t in chunk]
                entities = self._entities(chunk, sentences, batch_size) if self.ner is not None else [[] for _ in chunk]
                scores = self._doc_scores(sentences, batch_size) if self.classifier is not None else [{} for _ in chunk]
                for text, ents, sc in zip(chunk, entities, scores):
                    label = max(sc, key=sc.get) if sc else None
                    results.append(Result(ents, label, sc, find_officials(text, ents)))
                bar.update(len(chunk))
        return results

    # ---------------------------------------------------------------- NER
    @torch.inference_mode()
    def _run(self, model, windows: list[list[int]], batch_size: int, pad_id: int):
        """Model logits (as float32 CPU tensors) for each window, batched by similar length."""
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        out: list = [None] * len(windows)
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            # few distinct shapes: CPU kernels are prepared per shape, and a new width per batch costs more
            width = -(-max(len(windows[i]) for i in idx) // 16) * 16
            ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                ids[row, :len(windows[i])] = torch.tensor(windows[i])
                mask[row, :len(windows[i])] = 1
            logits = model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits.float().cpu()
            for row, i in enumerate(idx):
                out[i] = logits[row]
        return out

    def _entities(self, texts, sentences, batch_size):
        jobs = []  # (doc, sentence, window)
        for d, sents in enumerate(sentences):
            for s, sent in enumerate(sents):
                for w in self.ner_encoder.windows([word.text for word in sent.words]):
                    jobs.append((d, s, w))
        pad = self.ner_encoder.tokenizer.pad_token_id
        logits = self._run(self.ner, [w.input_ids for _, _, w in jobs], batch_size, pad)
        word_probs: dict[tuple[int, int], dict[int, torch.Tensor]] = {}
        for (d, s, w), lg in zip(jobs, logits):
            probs = lg.softmax(-1)
            slot = word_probs.setdefault((d, s), {})
            for k in range(w.keep_from, w.keep_to):
                slot[k] = probs[w.first_token[k - w.word_offset]]
        out = []
        for d, sents in enumerate(sentences):
            ents = []
            for s, sent in enumerate(sents):
                if not sent.words:
                    continue
                probs = word_probs[(d, s)]
                probs = torch.stack([probs[k] for k in range(len(sent.words))])
                if self.decode == "argmax":
                    path = probs.argmax(-1).tolist()
                else:
                    path = viterbi(probs.clamp_min(1e-12).log(), *self._bio)
                tags = [(self.id2label[t], float(probs[k, t])) for k, t in enumerate(path)]
                ents.extend(self._decode(texts[d], sent.words, tags))
            out.append(ents)
        return out

    @staticmethod
    def _decode(text, words, tags) -> list[Entity]:
        """BIO tags to spans; an I- that does not continue a span starts one. Score: mean tag probability."""
        ents, cur = [], None
        for word, (tag, p) in zip(words, tags):
            if tag.startswith("I-") and cur and cur[2] == tag[2:]:
                cur[1] = word.end
                cur[3].append(p)
                continue
            if cur:
                ents.append(cur)
                cur = None
            if tag != "O":
                cur = [word.start, word.end, tag[2:], [p]]
        if cur:
            ents.append(cur)
        return [Entity(text[a:b], label, a, b, round(sum(ps) / len(ps), 4)) for a, b, label, ps in ents]

    # --------------------------------------------------------- article type
    def _doc_scores(self, sentences, batch_size):
        windows, owner = [], []
        for d, sents in enumerate(sentences):
            words = [w.text for s in sents for w in s.words]
            chunks = self.cls_encoder.windows(words)[: self.max_chunks] if words else []
            if not chunks:  # an empty document still gets a (prior-like) answer
                chunks = self.cls_encoder.windows(["."])
            for c in chunks:
                windows.append(c.input_ids)
                owner.append(d)
        pad = self.cls_encoder.tokenizer.pad_token_id
        logits = self._run(self.classifier, windows, batch_size, pad)
        out = []
        for d in range(len(sentences)):
            mean = torch.stack([lg for lg, o in zip(logits, owner) if o == d]).mean(0)
            probs = (mean / self.temperature).softmax(-1)
            out.append({label: round(float(p), 4) for label, p in zip(self.doc_labels, probs)})
        return out


def load(path: str | Path | None = None, device: str | None = None, batch_size: int = 16) -> Predictor:
    """The predictor for a model bundle: a folder with ``ner/`` and/or ``classifier/``
    (each a ``save_pretrained`` folder). ``None`` loads the default shipped in the package."""
    root = Path(path) if path is not None else DEFAULT_DIR
    if not root.is_dir():
        raise FileNotFoundError(f"model folder not found: {root}")
    parts = {}
    for name, auto in (("ner", AutoModelForTokenClassification), ("classifier", AutoModelForSequenceClassification)):
        sub = root / name
        if (sub / "config.json").exists():
            parts[name] = auto.from_pretrained(sub, dtype=torch.float32)  # shipped weights are float16 on disk
            parts[name + "_tokenizer"] = AutoTokenizer.from_pretrained(sub)
    if not parts:
        raise FileNotFoundError(f"{root}: no ner/ or classifier/ model folder with a config.json inside")
    return Predictor(**parts, device=device, batch_size=batch_size)
