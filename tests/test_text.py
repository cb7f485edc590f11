import unicodedata

import pytest

from model.text import MAX_SENTENCE_CHARS, normalize, segment


def _check_offsets(text):
    sentences = segment(text)
    for sent in sentences:
        assert 0 <= sent.start < sent.end <= len(text)
        for w in sent.words:
            surface = text[w.start:w.end]
            assert surface and not surface[0].isspace() and not surface[-1].isspace()
            # the word's text is the normalised surface with spaces as "_"
            assert w.text == "_".join(normalize(surface).split())
    return sentences


def _covered(text, words):
    """Every non-space character the words cover, in order."""
    return "".join("".join(text[w.start:w.end].split()) for w in words)


def _all_words(sentences):
    return [w for s in sentences for w in s.words]


def test_nfc_and_tone_placement_variants_map_to_one_form():
    assert normalize("hoà bình thuỷ lợi khoẻ") == "hòa bình thủy lợi khỏe"
    assert normalize("Hoà") == normalize("Hòa") == normalize(unicodedata.normalize("NFD", "Hoà"))
    # "qu" + y keeps its tone, and "oa"/"uy" followed by a consonant are untouched
    assert normalize("quý hoàng huỳnh") == "quý hoàng huỳnh"


def test_nfd_input_offsets_index_the_original():
    nfd = unicodedata.normalize("NFD", "Bí thư Thành ủy Nguyễn Văn Quảng phát biểu.")
    words = _all_words(_check_offsets(nfd))
    assert len(nfd) > len(unicodedata.normalize("NFC", nfd))
    joined = [w.text for w in words]
    assert "Nguyễn_Văn_Quảng" in joined
    w = words[joined.index("Nguyễn_Văn_Quảng")]
    assert unicodedata.normalize("NFC", nfd[w.start:w.end]) == "Nguyễn Văn Quảng"


def test_crlf_bom_tabs_nbsp_and_emoji():
    text = "\ufeffChiều 12-6,\tông\u00a0Nguyễn Văn A 😀 đến Hà Nội.\r\nSáng 13-6, đoàn về TP Đà Nẵng.\r\n"
    sentences = _check_offsets(text)
    assert len(sentences) == 2
    words = _all_words(sentences)
    assert words[0].start == 1  # the BOM is not part of any word
    assert any(text[w.start:w.end] == "😀" or "😀" in text[w.start:w.end] for w in words)
    assert text[sentences[1].start:sentences[1].end].startswith("Sáng")


def test_latin_only_and_empty():
    assert segment("") == []
    assert segment("   \n\t ") == []
    text = "The quick brown fox. It jumps!"
    sentences = _check_offsets(text)
    assert len(sentences) == 2
    assert _covered(text, _all_words(sentences)) == "".join(text.split())


def test_no_character_is_dropped():
    text = "Ông A nói: «xin chào» — 100% đúng!!! #hashtag @user"
    words = _all_words(_check_offsets(text))
    assert _covered(text, words) == "".join(text.split())


@pytest.mark.parametrize("unit", ["Thành ủy Đà Nẵng họp. ", "abc "])
def test_long_single_paragraph(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    sentences = _check_offsets(text)
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in sentences)
    words = _all_words(sentences)
    assert _covered(text, words) == "".join(text.split())
