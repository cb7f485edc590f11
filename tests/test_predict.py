import json
import unicodedata

import pytest

import model
from model.encoding import WordEncoder
from model.labels import DOC_LABELS, ENTITY_LABELS

SEED_TEXT = ("Chủ trì buổi làm việc, Ủy viên Trung ương Đảng, Bí thư Thành ủy Đà Nẵng Nguyễn Văn Quảng "
             "và Phó Bí thư Thường trực Thành ủy Lương Nguyễn Minh Triết biểu dương Quận ủy Liên Chiểu. ")


@pytest.fixture(scope="module")
def predictor(bundle_dir):
    return model.load(bundle_dir, device="cpu", batch_size=4)


def _check(text, result):
    assert result.entities, "a random model tags something; an empty result would hide offset bugs"
    for e in result.entities:
        assert e.text == text[e.start:e.end]
        assert e.label in ENTITY_LABELS and 0.0 <= e.score <= 1.0
        assert not e.text[0].isspace() and not e.text[-1].isspace()
    starts = [e.start for e in result.entities]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(result.entities, result.entities[1:]))


def test_result_shape(predictor):
    res = predictor(SEED_TEXT)
    _check(SEED_TEXT, res)
    assert set(res.doc_scores) == set(DOC_LABELS)
    assert abs(sum(res.doc_scores.values()) - 1) < 1e-3
    assert res.doc_label == max(res.doc_scores, key=res.doc_scores.get)
    d = res.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert set(d) == {"entities", "doc_label", "doc_scores", "officials"}


@pytest.mark.parametrize("variant", ["nfd", "crlf", "bom_tabs_nbsp"])
def test_offsets_index_the_original_text(predictor, variant):
    base = SEED_TEXT * 3
    text = {"nfd": unicodedata.normalize("NFD", base),
            "crlf": base.replace(". ", ".\r\n"),
            "bom_tabs_nbsp": "\ufeff" + base.replace(", ", ",\t").replace(" Đà", "\u00a0Đà")}[variant]
    _check(text, predictor(text))


def test_nfd_and_nfc_give_the_same_entities(predictor):
    nfc = SEED_TEXT
    nfd = unicodedata.normalize("NFD", nfc)
    a, b = predictor(nfc), predictor(nfd)
    assert [(e.label, unicodedata.normalize("NFC", e.text)) for e in a.entities] == \
           [(e.label, unicodedata.normalize("NFC", e.text)) for e in b.entities]


def test_long_sentence_is_windowed_not_truncated(predictor):
    text = ("Bí thư Thành ủy Nguyễn Văn Quảng làm việc với Quận ủy Liên Chiểu, " * 60).strip()
    res = predictor(text)
    _check(text, res)
    # words at the very end are still read: some entity lies in the last tenth
    assert max(e.end for e in res.entities) > len(text) * 0.9


def test_windows_cover_every_word_once(bundle_dir):
    from transformers import AutoTokenizer
    enc = WordEncoder(AutoTokenizer.from_pretrained(bundle_dir / "ner"), max_length=12, stride=4)
    words = ["Bí_thư", "Thành_ủy", "Nguyễn_Văn_Quảng", "làm_việc", "với", "Quận_ủy", "Liên_Chiểu"] * 7
    wins = enc.windows(words)
    assert len(wins) > 1
    kept = [k for w in wins for k in range(w.keep_from, w.keep_to)]
    assert kept == list(range(len(words)))
    for w in wins:
        assert len(w.input_ids) <= 12
        assert w.input_ids[0] == enc.tokenizer.bos_token_id and w.input_ids[-1] == enc.tokenizer.eos_token_id


def test_predict_many_keeps_order_and_matches_single(predictor):
    texts = [SEED_TEXT, "Sáng 13-6, đoàn công tác làm việc tại huyện Thường Tín.", SEED_TEXT * 2, "Hà Nội"]
    many = predictor.predict_many(texts, batch_size=2)
    assert [r.to_dict() for r in many] == [predictor(t).to_dict() for t in texts]


def test_empty_and_whitespace_text(predictor):
    for text in ("", "   \n"):
        res = predictor(text)
        assert res.entities == [] and res.officials == []
        assert set(res.doc_scores) == set(DOC_LABELS)


def test_non_string_input_is_rejected(predictor):
    with pytest.raises(TypeError, match="document 1"):
        predictor.predict_many(["ok", 3])


def test_megabyte_text_keeps_offsets(predictor):
    text = (SEED_TEXT + "\r\n") * (1_000_000 // (len(SEED_TEXT) + 2) + 1)
    assert len(text) >= 1_000_000
    res = predictor(text)
    assert res.entities[-1].end > len(text) - len(SEED_TEXT) - 2
    for e in res.entities:
        assert e.text == text[e.start:e.end]


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        model.load(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no ner/ or classifier/"):
        model.load(tmp_path)


def test_slow_phobert_tokenizer_path(slow_encoder_dir, tmp_path):
    """PhoBERT's tokenizer is slow-only: word-by-word encoding must work with it."""
    import tiny
    from transformers import AutoTokenizer
    assert not AutoTokenizer.from_pretrained(slow_encoder_dir).is_fast
    pred = model.load(tiny.random_bundle(slow_encoder_dir, tmp_path), device="cpu")
    _check(SEED_TEXT, pred(SEED_TEXT))


def test_viterbi_returns_valid_iob2_and_the_best_valid_path():
    import itertools

    import torch

    from model.bio import allowed_transitions, viterbi
    from model.labels import BIO_LABELS

    labels = list(BIO_LABELS)
    start, trans = allowed_transitions(labels)
    o, b_org, i_org, i_per = (labels.index(t) for t in ("O", "B-ORG", "I-ORG", "I-PER"))
    # argmax would read O, I-ORG, I-ORG: an I- with no B-, which strict scoring rejects
    probs = torch.full((3, len(labels)), 0.01)
    probs[0, o], probs[0, b_org] = 0.5, 0.4
    probs[1, i_org], probs[1, i_per] = 0.6, 0.3
    probs[2, i_org] = 0.9
    path = viterbi(probs.log(), start, trans)
    assert path == [b_org, i_org, i_org]

    def valid(seq):
        tags = [labels[t] for t in seq]
        return all(not t.startswith("I-") or (k and tags[k - 1][2:] == t[2:] and tags[k - 1] != "O")
                   for k, t in enumerate(tags))

    # brute force over a small label set: the decoder finds the most probable valid sequence
    small = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]
    s2, t2 = allowed_transitions(small)
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        lp = torch.randn(4, len(small), generator=gen).log_softmax(-1)
        best = max((seq for seq in itertools.product(range(len(small)), repeat=4)
                    if all(not small[t].startswith("I-") or (k and small[seq[k - 1]][2:] == small[t][2:])
                           for k, t in enumerate(seq))),
                   key=lambda seq: sum(float(lp[k, t]) for k, t in enumerate(seq)))
        assert viterbi(lp, s2, t2) == list(best)
    assert valid(path)
