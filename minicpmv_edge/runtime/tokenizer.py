"""Tokenizer for the runtime: the bundle's `tokenizer.json` through the `tokenizers` library (no torch)."""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer

from minicpmv_edge.errors import BundleError, first_line
from minicpmv_edge.userfiles import regular_file


class TextTokenizer:
    def __init__(self, path: Path) -> None:
        regular_file(path, "tokenizer", BundleError)  # a FIFO would block from_file forever
        try:
            self._tok = Tokenizer.from_file(str(path))
        except Exception as err:  # tokenizers raises a bare Exception on malformed files
            raise BundleError(f"cannot load tokenizer {path}: {first_line(err)}") from None

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, special tokens written in it (`<image>`, `<unk>`, ...) recognised, nothing added."""
        return self._tok.encode(text, add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        return self._tok.decode(ids, skip_special_tokens=True)


class StreamDecoder:
    """Turns generated ids into text pieces as they arrive, holding back incomplete UTF-8 sequences."""

    def __init__(self, tokenizer: TextTokenizer) -> None:
        self._tok = tokenizer
        self._ids: list[int] = []
        self._emitted = ""

    def push(self, token_id: int) -> str:
        self._ids.append(token_id)
        text = self._tok.decode(self._ids)
        if text.endswith("\ufffd"):
            return ""
        piece, self._emitted = text[len(self._emitted) :], text
        return piece

    @property
    def text(self) -> str:
        return self._tok.decode(self._ids)
