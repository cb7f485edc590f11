"""Tiny random PhoBERT-architecture encoders built inside the tests (no downloads)."""
from __future__ import annotations

from pathlib import Path

from transformers import PhobertTokenizer, RobertaConfig, RobertaForMaskedLM

from model.text import segment
from training.train_tokenizer import build as build_fast_tokenizer

TEXTS = [
    "Chiều 12-6, Bí thư Thành ủy Đà Nẵng Nguyễn Văn Quảng làm việc với Quận ủy Liên Chiểu về Kết luận số 21-KL/TW.",
    "Sáng 13-6, Đoàn kiểm tra số 2 của Ban Thường vụ Thành ủy Hà Nội làm việc tại huyện Thường Tín.",
    "Ông Lương Nguyễn Minh Triết, Chủ tịch HĐND thành phố, yêu cầu thực hiện Kế hoạch số 45-KH/TU.",
]


def words(texts=TEXTS):
    return [" ".join(w.text for w in s.words) for t in texts for s in segment(t)]


def _save_model(tokenizer, out: Path, hidden=32):
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=2,
                           num_attention_heads=2, intermediate_size=hidden * 2, max_position_embeddings=130,
                           type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
                           bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    RobertaForMaskedLM(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def fast_encoder(out: Path, texts=TEXTS) -> Path:
    tok = build_fast_tokenizer(words(texts) * 3, vocab_size=400, max_length=128)
    return _save_model(tok, out)


def slow_encoder(out: Path, texts=TEXTS) -> Path:
    """PhoBERT's own (slow, fastBPE-style) tokenizer over a tiny vocabulary."""
    out.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for line in words(texts) for c in line if not c.isspace()})
    vocab = [f"{c}@@" for c in chars] + chars
    (out / "vocab.txt").write_text("".join(f"{v} 1\n" for v in vocab), encoding="utf-8")
    (out / "bpe.codes").write_text("", encoding="utf-8")
    tok = PhobertTokenizer(str(out / "vocab.txt"), str(out / "bpe.codes"), model_max_length=128)
    return _save_model(tok, out)


def random_bundle(encoder_dir: Path, out: Path, window_length=24, stride=6) -> Path:
    """ner/ and classifier/ folders as training writes them, with random heads."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer

    from model.labels import BIO_LABELS, DOC_LABELS

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(encoder_dir)
    for name, auto, labels in (("ner", AutoModelForTokenClassification, BIO_LABELS),
                               ("classifier", AutoModelForSequenceClassification, DOC_LABELS)):
        m = auto.from_pretrained(encoder_dir, num_labels=len(labels), id2label=dict(enumerate(labels)),
                                 label2id={l: i for i, l in enumerate(labels)})
        m.config.window_length = window_length
        m.config.window_stride = stride if name == "ner" else 0
        m.config.doc_max_chunks = 3
        m.config.calibration_temperature = 1.5
        m.save_pretrained(out / name)
        tok.save_pretrained(out / name)
    return out
