"""Write tokenizer test vectors for the Java runtime: `python tokenizer_vectors.py OUTDIR` (into OUTDIR/tokenizer/).

Builds tokenizer.json files with the Python `tokenizers` library (the reference the Java reader must equal) and
records, for 2,000+ strings each, `encode(text, add_special_tokens=False).ids`, `decode(ids,
skip_special_tokens=False)` (and `=True`, what the Python runtime uses) and what `DecodeStream` yields token by
token. Tokenizers written:
- the three release kinds, trained here on a small built-in multilingual corpus with the real special tokens:
  `v2-legacy` (2.0: Llama-style SentencePiece BPE, byte fallback, Prepend+Replace normalizer), `v2-metaspace` (the
  same model as newer converters write it: Metaspace pre-tokenizer and decoder), `v25` (Llama-3 byte-level BPE with
  its Split regex, ignore_merges), `v26` (Qwen2 byte-level BPE, NFC, its Split regex);
- the synthetic tokenizers our exporter writes for presets tiny, minicpm-v-2, minicpm-llama3-v-2_5, minicpm-v-2_6;
- `qwen2-sized`: 151,643 BPE tokens with as many merges plus the 2.6 specials, for the load-time test.
Nothing here is committed output: the Java test runs this script into a temporary directory first.
"""

from __future__ import annotations

import json
import random
import sys
import time
import unicodedata
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from minicpmv_edge.export.tokenizer import synthetic_tokenizer
from minicpmv_edge.presets import get_preset

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

CORPUS_LINES = [
    "The quick brown fox jumps over the lazy dog.", "A photo of a red bus parked next to a wooden house.",
    "What is written on the sign? It says: OPEN 24 HOURS.", "The total is 42.50 dollars, paid on 2024-05-17.",
    "Describe the image in detail, then answer the question.", "I'm sure they'll say it's fine, we've seen worse.",
    "There are 3 cats, 12 dogs and 1,000,000 ants in the garden!",
    "def encode(text):\n    return [ord(c) for c in text]\n",
    "图片中有一只猫坐在窗台上。", "请描述这张图片的内容。",
    "这是一张收据，总金额是四十二元五角。", "今天天气很好，我们去公园散步吧。",
    "画像には赤いバスが写っています。", "이 사진에는 빨간 버스가 있습니다.", "Привет, как дела? Всё хорошо.",
    "Ελληνικά γράμματα: αβγδε.", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया, यह एक परीक्षण है।", "สวัสดีครับ",
    "Café, naïve, résumé, façade, jalapeño, Zürich, Ångström.", "Emoji: 😀 😂 👍 🎉 ❤️ 🚌 🐱 🇨🇳 👨‍👩‍👧",
    "Tabs\tand\nnewlines\r\nand   multiple   spaces.", "UPPER lower MiXeD 123abc abc123 x86_64 v2.6",
    "https://example.com/path?query=1&other=two#frag", "e = mc^2; ∑ x_i ≤ ∞; √2 ≈ 1.414; π > 3",
]  # fmt: skip

UNICODE_SPACES = (
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_SPACES = "\u200b\u200c\u200d\u2060\ufeff\u180e"

HAND_STRINGS = [
    "", " ", "  ", "   ", "\n", "\n\n", "\r\n", "\t", " \t\n ", "Hello world", " Hello world", "Hello world ",
    "hello  world", "a\u00a0b", "\u00a0", "\u00a0\u00a0x", "x\u3000y", "\u3000", "\u3000\u3000你好", "line\u2028break",
    "para\u2029graph", "next\u0085line", "zero\u200bwidth", "word\u2060joiner", "bom\ufeffhere", " " * 50,
    "a" + " " * 17 + "b", " " * 7 + "\n" + " " * 3, "x" + "\t" * 9 + "y", "1234567890", "3.14159", "1,000,000",
    "12345678901234567890", "١٢٣٤٥", "۱۲۳", "½ ¼ ¾", "x² + y³", "①②③", "Ⅻ", "你好，世界！", "我爱北京天安门",
    "日本語のテキスト", "한국어 텍스트", "ภาษาไทย", "العربية", "עברית", "हिन्दी", "e\u0301", "cafe\u0301", "caf\u00e9",
    "a\u0308\u0301\u0323", "Z\u0351\u0352\u0353\u0354\u0355", "ﬁ ﬂ ﬀ", "Ｆｕｌｌｗｉｄｔｈ", "ｶﾀｶﾅ", "😀", "😀😀😀",
    "👨\u200d👩\u200d👧\u200d👦", "👍🏽", "🇨🇳🇺🇸", "1\ufe0f\u20e3", "❤️", "🫠🥲", "🏳️\u200d🌈", "I'm", "I'M", "you'll",
    "YOU'LL", "we've", "they're", "it's", "IT'S", "'s", "'ſ", "don't", "o'clock", "▁", "▁▁x", "Ġ", "Ċ", "<0x41>",
    "<0xZZ>", "<unk>", "<s>", "</s>", "<s></s>", "<<s>>", "<s", "s>", "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>",
    "<image>", "<image><unk></image>", "a<image>b", " <image> ", "<slice>\n</slice>",
    "<用户>你好<AI>", "<用户>", " <AI>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", "<image_id>0</image_id>",
    "<|reserved_special_token_5|>", "<|reserved_0|>", "<lrstrip>", " <lrstrip> ", "a  <lrstrip>  b", "<sw>", "a<sw>b",
    "a <sw> b", "cafe\u0301_tok", "caf\u00e9_tok", "x cafe\u0301_tok y", "!!!???...", "@#$%^&*()", "a_b-c.d/e\\f",
    "```python\nprint('hi')\n```", "\u0000", "\u0001\u0002", "\u007f", "\u00ad", "\U0001d49c\U0001d4b7", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\U00020000\U0002a6d6", "\ue000\uf8ff", "\U000f0000",
]  # fmt: skip


def _stable(cp: int) -> bool:
    """Assigned with the same category since Unicode 3.2: the JVM's (older) and the Rust crate's tables agree."""
    ch = chr(cp)
    cat = unicodedata.category(ch)
    return cat not in ("Cn", "Cs") and unicodedata.ucd_3_2_0.category(ch) == cat


def test_strings(rng: random.Random, count: int) -> list[str]:
    """The hand-written cases plus random strings mixing scripts, spaces, marks, emoji and special-token shapes."""
    pools = [
        [chr(c) for c in range(0x20, 0x7F)] * 3,
        list(UNICODE_SPACES + NOT_SPACES) * 2,
        [chr(c) for c in range(0x4E00, 0x4E00 + 400)],
        [chr(c) for c in range(0xC0, 0x250) if _stable(c)],
        [chr(c) for c in range(0x300, 0x370)],
        ["😀", "👍", "🏽", "\u200d", "\ufe0f", "👩", "🚀", "🇯", "🇵", "❤", "🫠", "✅"],
        [chr(c) for c in list(range(0x660, 0x66A)) + list(range(0x966, 0x970)) + list(range(0xFF10, 0xFF1A))],
        ["'s", "'t", "'ll", "'LL", "'ve", "'re", "'m", "'d", "<s>", "</s>", "<unk>", "<image>", "<|im_end|>", "\r\n"],
    ]
    cps = [c for c in rng.sample(range(0x80, 0x30000), 60000) if _stable(c)]
    pools.append([chr(c) for c in cps])
    out = list(HAND_STRINGS) + list(CORPUS_LINES)
    while len(out) < count:
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
        weights = [rng.random() for _ in pools]
        out.append("".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length)))
    out.append(" ".join(CORPUS_LINES) * 3)  # one long text
    return out


def _specials(name: str) -> dict[str, int]:
    return dict(get_preset(name).prompt.special_tokens)


def _train(pre_tokenizer, size: int, alphabet: list[str], specials: list[str], normalizer=None) -> tuple[list, list]:
    """Learned tokens (in id order) and merges of a small BPE trained on the corpus."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizer
    if normalizer is not None:
        bpe.normalizer = normalizer
    trainer = trainers.BpeTrainer(
        vocab_size=size, initial_alphabet=alphabet, special_tokens=specials, show_progress=False, limit_alphabet=1000
    )
    bpe.train_from_iterator(CORPUS_LINES * 4, trainer=trainer)
    learned = [t for t, _ in sorted(bpe.get_vocab().items(), key=lambda kv: kv[1]) if t not in specials]
    merges = [tuple(m) for m in json.loads(bpe.to_str())["model"]["merges"]]
    return learned, merges


def _place(specials: dict[str, int], learned: list[str], size: int, filler: str) -> dict[str, int]:
    """Vocab with specials at their reference ids, learned tokens in the free ids, fillers up to `size`."""
    taken = set(specials.values())
    free = (i for i in range(size) if i not in taken)
    vocab = dict(specials)
    for token, i in zip(learned, free, strict=False):
        vocab[token] = i
    for n, i in enumerate(free):
        vocab[filler.format(n)] = i
    return vocab


def release_v2(metaspace: bool) -> Tokenizer:
    """2.0: Llama-style SentencePiece BPE with byte fallback (both JSON forms converters write)."""
    specials = _specials("minicpm-v-2")
    learned, merges = _train(
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True), 1500, [], list(specials)
    )
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]  # ids 3.. around the specials at 101..112
    vocab = _place(specials, byte_tokens + learned, 2000, "<reserved_{}>")
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    if metaspace:
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first"),
                                         decoders.ByteFallback(), decoders.Fuse()])  # fmt: skip
    else:
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                         decoders.Strip(" ", 1, 0)])  # fmt: skip
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    tok.add_tokens([AddedToken("<用户>", normalized=True), AddedToken("<AI>", normalized=True)])
    return tok


def _byte_level(pattern: str, specials: dict[str, int], base_size: int, ignore_merges: bool, nfc: bool) -> Tokenizer:
    split = pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)
    pre = pre_tokenizers.Sequence([split, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    learned, merges = _train(pre, 3000, pre_tokenizers.ByteLevel.alphabet(), [], normalizers.NFC() if nfc else None)
    in_base = {t: i for t, i in specials.items() if i < base_size}
    vocab = _place(in_base, learned, base_size, "<|filler_{}|>")
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=ignore_merges))
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    return tok


def _add_by_id(tok: Tokenizer, tokens: dict[str, int]) -> None:
    """Add special tokens in id order; each must land on its reference id (checked)."""
    for content, tid in sorted(tokens.items(), key=lambda kv: kv[1]):
        tok.add_special_tokens([AddedToken(content, special=True, normalized=False)])
        if tok.token_to_id(content) != tid:
            raise RuntimeError(f"{content} got id {tok.token_to_id(content)}, expected {tid}")


def release_v25() -> Tokenizer:
    """2.5: Llama-3 byte-level BPE (its Split regex, ignore_merges) with 256 added specials from 128000."""
    named = _specials("minicpm-llama3-v-2_5")
    by_id = {i: t for t, i in named.items()}
    specials = {by_id.get(i, f"<|reserved_special_token_{i - 128000}|>"): i for i in range(128000, 128256)}
    tok = _byte_level(LLAMA3_PATTERN, {}, 128000, ignore_merges=True, nfc=False)
    _add_by_id(tok, specials)
    tok.add_tokens([AddedToken("cafe\u0301_tok", normalized=True)])
    return tok


def release_v26() -> Tokenizer:
    """2.6: Qwen2 byte-level BPE (NFC, its Split regex); `<unk>` inside the base vocab at 128244, as in 2.6."""
    named = _specials("minicpm-v-2_6")
    tok = _byte_level(QWEN2_PATTERN, {"<unk>": named["<unk>"]}, 151643, ignore_merges=False, nfc=True)
    _add_by_id(tok, {t: i for t, i in named.items() if i >= 151643})
    tok.add_special_tokens([AddedToken("<unk>", special=True, normalized=False)])
    tok.add_special_tokens([AddedToken("<lrstrip>", special=True, normalized=False, lstrip=True, rstrip=True)])
    tok.add_tokens([AddedToken("<sw>", single_word=True, normalized=False)])
    tok.add_tokens([AddedToken("cafe\u0301_tok", normalized=True)])
    return tok


def coverage_sentencepiece() -> Tokenizer:
    """The 2.0 model behind the components the releases leave out: NFKC, Strip, digit and space Splits
    (contiguous, merged-with-previous), Metaspace with `split`, a two-char Strip decoder (Rust panics on empty
    text when `stop` > 0)."""
    tok = Tokenizer.from_str(release_v2(metaspace=True).to_str())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Strip(left=True, right=False)])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\d"), behavior="contiguous"),
        pre_tokenizers.Split(" ", behavior="merged_with_previous"),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
    ])  # fmt: skip
    tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="always"),
                                     decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 2, 0)])  # fmt: skip
    return tok


def coverage_byte_level() -> Tokenizer:
    """The 2.5 model behind NFD, Lowercase, regex Replace, removed / inverted merged-with-next Splits, the GPT-2
    ByteLevel regex with a prefix space, and a Replace decoder."""
    tok = Tokenizer.from_str(release_v25().to_str())
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFD(), normalizers.Lowercase(), normalizers.Replace(Regex(r"\s{2,}"), "\t")]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"[,.!?]"), behavior="removed"),
        pre_tokenizers.Split(Regex(r"\p{L}+"), behavior="merged_with_next", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True),
    ])  # fmt: skip
    tok.decoder = decoders.Sequence([decoders.ByteLevel(), decoders.Replace("\t", "  ")])
    return tok


def qwen2_sized(rng: random.Random) -> Tokenizer:
    """151,643 BPE tokens and 151,387 merges built by random pair joins (load-time test, like a real Qwen2 file)."""
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    tokens = sorted(alphabet)
    vocab = {t: i for i, t in enumerate(tokens)}
    merges = []
    short = list(tokens)
    while len(vocab) < 151643:
        a = rng.choice(short) if rng.random() < 0.7 else rng.choice(tokens)
        b = rng.choice(short)
        if a + b in vocab or len(a + b) > 12:
            continue
        vocab[a + b] = len(vocab)
        tokens.append(a + b)
        if len(a + b) <= 4:
            short.append(a + b)
        merges.append((a, b))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.normalizer = normalizers.NFC()
    split = pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False)
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([split, byte_level])
    tok.decoder = decoders.ByteLevel()
    _add_by_id(tok, {t: i for t, i in _specials("minicpm-v-2_6").items() if i >= 151643})
    return tok


def stream_steps(tok: Tokenizer, ids: list[int], skip_special: bool) -> tuple[list[str], int]:
    """What DecodeStream yields per id ("" for None), and the step where it raised (-1: none)."""
    stream = decoders.DecodeStream(skip_special_tokens=skip_special)
    steps: list[str] = []
    for i, tid in enumerate(ids):
        try:
            steps.append(stream.step(tok, tid) or "")
        except Exception:  # the Java side goes on there; the steps before must match
            return steps, i
    return steps, -1


def stream_case(tok: Tokenizer, ids: list[int]) -> dict:
    steps, error_at = stream_steps(tok, ids, skip_special=False)
    steps_skip, error_at_skip = stream_steps(tok, ids, skip_special=True)
    return {"ids": ids, "steps": steps, "error_at": error_at, "steps_skip": steps_skip, "error_at_skip": error_at_skip}


def vectors(tok: Tokenizer, strings: list[str], rng: random.Random, random_streams: int) -> dict:
    cases = []
    streams = []
    for s in strings:
        ids = tok.encode(s, add_special_tokens=False).ids
        cases.append({
            "text": s,
            "ids": ids,
            "decode": tok.decode(ids, skip_special_tokens=False),
            "decode_skip": tok.decode(ids, skip_special_tokens=True),
        })  # fmt: skip
        if len(ids) > 1 and len(streams) < 400:
            streams.append(stream_case(tok, ids))
    vocab = tok.get_vocab()
    ids_pool = sorted(vocab.values())
    byte_ids = [i for t, i in vocab.items() if t.startswith("<0x") or len(t) == 1]
    for _ in range(random_streams):  # random ids: cut characters at random points, mix in specials
        ids = [rng.choice(byte_ids) if rng.random() < 0.6 else rng.choice(ids_pool) for _ in range(rng.randint(1, 24))]
        streams.append(stream_case(tok, ids) | {"decode": tok.decode(ids, skip_special_tokens=False)})
    sample = [*rng.sample(sorted(vocab), min(300, len(vocab))), "<unk>", "<image>", "not-a-token-xyz"]
    return {
        "vocab_size": tok.get_vocab_size(),
        "token_to_id": {t: (tok.token_to_id(t) if tok.token_to_id(t) is not None else -1) for t in sample},
        "cases": cases,
        "streams": streams,
    }


def main(vectors_dir: Path) -> None:
    out_dir = vectors_dir / "tokenizer"  # the directory is shared with the other generators
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261202)
    strings = test_strings(rng, 2100)
    builders = {
        "v2-legacy": lambda: release_v2(metaspace=False),
        "v2-metaspace": lambda: release_v2(metaspace=True),
        "v25": release_v25,
        "v26": release_v26,
        "cover-sentencepiece": coverage_sentencepiece,
        "cover-byte-level": coverage_byte_level,
        **{f"synthetic-{p}": (lambda p=p: synthetic_tokenizer(get_preset(p)))
           for p in ("tiny", "minicpm-v-2", "minicpm-llama3-v-2_5", "minicpm-v-2_6")},
        "qwen2-sized": lambda: qwen2_sized(rng),
    }  # fmt: skip
    index = []
    for name, build in builders.items():
        t0 = time.time()
        tok = build()
        tok.save(str(out_dir / f"{name}.tokenizer.json"))
        subset = strings if name != "qwen2-sized" else strings[:600]
        data = vectors(tok, subset, rng, random_streams=150 if name != "qwen2-sized" else 30)
        data["tokenizer"] = f"{name}.tokenizer.json"
        (out_dir / f"{name}.vectors.json").write_text(json.dumps(data, ensure_ascii=True))
        index.append(name)
        print(f"{name}: {len(data['cases'])} strings, {len(data['streams'])} streams, {time.time() - t0:.1f} s")
    (out_dir / "index.json").write_text(json.dumps(index))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tokenizer_vectors.py OUTDIR")
    main(Path(sys.argv[1]))
