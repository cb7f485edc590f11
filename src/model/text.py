"""Raw text to words with exact offsets into the caller's original string.

Everything the models see is normalised (NFC, one tone-mark placement,
plain spaces), but every span handed back indexes the original text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Zero-width characters carry no text; they are dropped from the normalised view.
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# Combining Vietnamese tone marks: grave, acute, tilde, hook above, dot below.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# "oà", "oè", "uỳ" ending a syllable take the tone on the first vowel ("hòa",
# "khỏe", "thủy"), the form underthesea's segmenter and most news text use.
# After "q" the "u" is part of the consonant ("quý"), so it is left alone.
_TONE_MOVE = re.compile(r"(?<![^\W\d_])([^\W\d_]*?)(?<![qQ])([oOuU])([^\W\d_])(?![^\W\d_])")

MAX_SENTENCE_CHARS = 2000  # longer "sentences" (no punctuation) are cut at spaces


@dataclass(frozen=True)
class Word:
    text: str  # normalised, syllables joined by "_" as PhoBERT expects
    start: int  # offsets into the original text, end exclusive
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    words: tuple[Word, ...]


class Normalized:
    """The normalised text with, per character, its span in the original."""

    def __init__(self, original: str):
        self.original = original
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        i, n = 0, len(original)
        while i < n:
            j = i + 1
            while j < n and unicodedata.combining(original[j]):
                j += 1
            cluster = original[i:j]
            if cluster in _DROP:
                i = j
                continue
            for c in unicodedata.normalize("NFC", cluster):
                if c in ("\r", "\n"):
                    c = "\n"
                elif c.isspace():
                    c = " "
                chars.append(c)
                starts.append(i)
                ends.append(j)
            i = j
        self.text = _TONE_MOVE.sub(_move_tone, "".join(chars))
        self._starts = starts
        self._ends = ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            pos = self._starts[start] if start < len(self._starts) else len(self.original)
            return pos, pos
        return self._starts[start], self._ends[end - 1]


def _move_tone(m: re.Match) -> str:
    head, first, second = m.groups()
    decomposed = unicodedata.normalize("NFD", second)
    tones = [c for c in decomposed if c in _TONES]
    if not tones or decomposed[0] not in "aAeEyY" or len(decomposed) != 2:
        return m.group(0)
    moved = unicodedata.normalize("NFC", first + tones[0])
    return head + moved + decomposed[0]


def normalize(text: str) -> str:
    """The normalised form of ``text`` (NFC, one tone placement, plain spaces)."""
    return Normalized(text).text


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans in the normalised text: paragraphs, then underthesea."""
    from underthesea import sent_tokenize

    spans = []
    for para in re.finditer(r"[^\n]+", text):
        if not para.group().strip():
            continue
        pos = para.start()
        for sent in sent_tokenize(para.group()):
            a, b = _align(text, pos, sent)
            if a is None:
                continue
            spans.extend(_cut_long(text, a, b))
            pos = b
    return spans


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        out.append((start, cut))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if start < end:
        out.append((start, end))
    return out


def _align(text: str, pos: int, token: str) -> tuple[int | None, int]:
    """Find ``token`` in ``text`` from ``pos``, whitespace runs matching any whitespace."""
    compact = "".join(token.split())
    if not compact:
        return None, pos
    i = pos
    while i < len(text) and text[i].isspace():
        i += 1
    start, k = i, 0
    while k < len(compact) and i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] != compact[k]:
            break
        i += 1
        k += 1
    if k == len(compact):
        return start, i
    # The segmenter changed a character; fall back to the next exact occurrence.
    found = text.find(token, pos)
    if found >= 0:
        return found, found + len(token)
    return None, pos


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    from underthesea import word_tokenize

    sent = text[start:end]
    spans, pos = [], start
    for tok in word_tokenize(sent, use_token_normalize=False):
        a, b = _align(text, pos, tok)
        if a is None or b > end:
            continue
        spans.append((a, b))
        pos = b
    # Anything the segmenter skipped is kept as whitespace-split words, so no
    # character of the input is silently lost.
    filled, cursor = [], start
    for a, b in spans + [(end, end)]:
        for m in re.finditer(r"\S+", text[cursor:a]):
            filled.append((cursor + m.start(), cursor + m.end()))
        if a < b:
            filled.append((a, b))
        cursor = b
    return filled


def segment(text: str) -> list[Sentence]:
    """Split ``text`` into sentences of segmented words with original offsets."""
    norm = Normalized(text)
    sentences = []
    for s_start, s_end in _sentence_spans(norm.text):
        words = []
        for a, b in _words(norm.text, s_start, s_end):
            o_start, o_end = norm.span(a, b)
            words.append(Word("_".join(norm.text[a:b].split()), o_start, o_end))
        if words:
            sentences.append(Sentence(words[0].start, words[-1].end, tuple(words)))
    return sentences
