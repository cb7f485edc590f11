"""Learn the subword vocabulary over the word-segmented corpus.

    python -m training.train_tokenizer --segmented cache/segmented.jsonl --vocab-size 16000 --out DIR

PhoBERT's input convention: word-segmented text (syllables joined by "_"),
BPE over those words, RoBERTa special tokens with PhoBERT's ids
(<s>=0, <pad>=1, </s>=2, <unk>=3). Saved as a fast tokenizer that
``AutoTokenizer.from_pretrained(DIR)`` loads offline.
"""
from __future__ import annotations

import argparse

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from training.corpus_text import sentences

SPECIAL = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def build(texts, vocab_size: int, max_length: int = 256) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="@@"))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.BPEDecoder(suffix="@@")
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL,
                                  continuing_subword_prefix="@@", show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), add_prefix_space=False, trim_offsets=False)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=max_length)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--segmented", required=True)
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--vocab-size", type=int, default=16000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    tokenizer = build(sentences(args.segmented, args.data_dir), args.vocab_size)
    tokenizer.save_pretrained(args.out)
    print(f"saved {len(tokenizer)} tokens to {args.out}")


if __name__ == "__main__":
    main()
