"""The model shipped inside the package: loads offline, is what the model card says."""
import json
import re
from pathlib import Path

import pytest
from transformers import AutoModelForMaskedLM, AutoTokenizer

import model
from model.labels import BIO_LABELS, DOC_LABELS
from model.predictor import DEFAULT_DIR

REPO = Path(__file__).resolve().parents[1]


def test_encoder_is_a_small_roberta_with_a_fast_tokenizer():
    enc = AutoModelForMaskedLM.from_pretrained(DEFAULT_DIR / "encoder")
    assert enc.config.model_type == "roberta"
    assert sum(p.numel() for p in enc.parameters()) <= 30_000_000
    tok = AutoTokenizer.from_pretrained(DEFAULT_DIR / "encoder")
    assert tok.is_fast and len(tok) == enc.config.vocab_size
    assert tok("Bí_thư Thành_ủy")["input_ids"][0] == tok.bos_token_id


def test_label_maps_live_in_the_configs():
    ner = json.loads((DEFAULT_DIR / "ner" / "config.json").read_text())
    cls = json.loads((DEFAULT_DIR / "classifier" / "config.json").read_text())
    assert [ner["id2label"][str(i)] for i in range(len(BIO_LABELS))] == list(BIO_LABELS)
    assert [cls["id2label"][str(i)] for i in range(len(DOC_LABELS))] == list(DOC_LABELS)
    assert cls["calibration_temperature"] > 0


def test_default_loads_offline_and_predicts(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text = ("Chiều 12-6, Ủy viên Trung ương Đảng, Bí thư Thành ủy Đà Nẵng Nguyễn Văn Quảng làm việc "
            "với Ban Thường vụ Quận ủy Liên Chiểu về thực hiện Kết luận số 21-KL/TW.")
    res = model.load(device="cpu")(text)
    assert res.entities
    for e in res.entities:
        assert text[e.start:e.end] == e.text
    assert abs(sum(res.doc_scores.values()) - 1) < 1e-3


@pytest.mark.parametrize("part,key", [("ner", "micro avg"), ("classifier", "macro_f1")])
def test_model_card_quotes_the_shipped_test_scores(part, key):
    report = json.loads((DEFAULT_DIR / part / "eval_report.json").read_text())
    test = report["test"]
    value = test["entities"][key]["f1"] if part == "ner" else test[key]
    card = (REPO / "model_card.md").read_text(encoding="utf-8")
    assert re.search(rf"\b{value:.3f}\b", card), f"model_card.md does not quote {part} test {key} {value:.3f}"
