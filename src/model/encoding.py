"""Words to model inputs: word-by-word subword ids and overlapping windows.

Words are tokenized one by one (cached), so the first subword of each word
is known without ``word_ids()``: the same code serves PhoBERT's slow
tokenizer and our fast one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Window:
    input_ids: list[int]
    first_token: list[int]  # per word of the window: position of its first subword
    word_offset: int  # index of the window's first word in the sentence
    keep_from: int  # words of this window whose predictions are kept: [keep_from, keep_to)
    keep_to: int


class WordEncoder:
    def __init__(self, tokenizer, max_length: int = 256, stride: int = 32):
        self.tokenizer = tokenizer
        self.max_tokens = max_length - 2  # room for <s> and </s>
        self.stride = stride
        self._pieces = lru_cache(maxsize=200_000)(self._tokenize)

    def _tokenize(self, word: str) -> tuple[int, ...]:
        ids = self.tokenizer(word, add_special_tokens=False)["input_ids"]
        return tuple(ids) or (self.tokenizer.unk_token_id,)

    def pieces(self, word: str) -> tuple[int, ...]:
        # a single word longer than a window (a URL, a long number) is cut: its first
        # subword still carries the word's label
        return self._pieces(word)[: self.max_tokens]

    def windows(self, words: list[str]) -> list[Window]:
        """Cover all words with windows of at most max_length tokens.

        Consecutive windows overlap by about ``stride`` tokens; each word's
        prediction is taken from the window where it sits furthest from an edge.
        """
        pieces = [self.pieces(w) for w in words]
        spans = []  # (first word, end word) per window
        start = 0
        while start < len(words):
            end, used = start, 0
            while end < len(words) and used + len(pieces[end]) <= self.max_tokens:
                used += len(pieces[end])
                end += 1
            spans.append((start, end))
            if end >= len(words):
                break
            # step back so the next window repeats about `stride` tokens of context
            back, overlap = end, 0
            while back > start + 1 and overlap + len(pieces[back - 1]) <= self.stride:
                back -= 1
                overlap += len(pieces[back])
            start = back
        out = []
        for k, (a, b) in enumerate(spans):
            keep_from = a if k == 0 else (a + spans[k - 1][1]) // 2
            keep_to = b if k == len(spans) - 1 else (spans[k + 1][0] + b) // 2
            ids, first = [self.tokenizer.bos_token_id], []
            for p in pieces[a:b]:
                first.append(len(ids))
                ids.extend(p)
            ids.append(self.tokenizer.eos_token_id)
            out.append(Window(ids, first, a, keep_from, keep_to))
        return out
