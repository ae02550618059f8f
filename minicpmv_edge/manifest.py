"""The bundle manifest (`manifest.json`): one JSON Schema, typed dataclasses, one reader, one serialiser.

Every reader of a bundle (the Python runtime, the compilers, `inspect`, the Java runtime, other people's tools) relies
on this contract; `docs/bundle-format.md` documents it and `schemas/manifest.schema.json` is its machine form. Reading
validates the schema first, so a wrong or missing field is one line naming the field, never a `KeyError` later.
Writing (atomic, under the bundle lock) lives in `minicpmv_edge.bundle`. No torch here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import BundleError
from minicpmv_edge.safe_json import load_json_file

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 2
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "manifest.schema.json"
MAX_MANIFEST_BYTES = 16 << 20
CPU_MIN_COSINE = 0.995  # a CPU graph below this against the torch reference is never the default
# fastest first, host-measured (benchmarks/encoder_ort_vs_torch.py): int8 MatMulNBits, then ORT-fused fp32
CPU_SPEED_ORDER = ("int8", "fp32")


def _key(**kw: Any) -> Any:
    """A field that is the dict key of its record in JSON (e.g. an encoder's size), not a member of it."""
    return field(metadata={"key": True}, **kw)


def _nullable(**kw: Any) -> Any:
    """A field written as `null` when None (other None fields are left out of the JSON)."""
    return field(metadata={"nullable": True}, **kw)


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class EncoderGraph:
    """One static vision encoder graph: `input` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> `output` `[1,Q,D]`."""

    size: int = _key()
    file: str = ""
    input: TensorSpec | None = None
    output: TensorSpec | None = None
    opset: int | None = None
    parity: dict[str, Any] | None = None


@dataclass(frozen=True)
class CpuGraph:
    """A CPU-only encoder graph (`vision/cpu/…`, see export/cpu_encoder.py): same input/output as the plain one."""

    size: int = _key()
    file: str = ""
    cosine_vs_torch_fp32: float | None = None
    max_abs_vs_torch_fp32: float | None = None
    provenance: str | None = None
    recipe: str | None = None


@dataclass(frozen=True)
class Vision:
    shapes: tuple[int, ...]
    encoders: dict[int, EncoderGraph]
    cpu_encoders: dict[str, dict[int, CpuGraph]] = field(default_factory=dict)  # precision -> size -> graph
    cpu_default: str | None = None  # `fastest_accurate_cpu` of `cpu_encoders`, as the export computed it

    def fastest_accurate_cpu(self) -> str | None:
        """The CPU precision `run` uses by default: see `fastest_accurate_cpu`."""
        return fastest_accurate_cpu(
            {p: [g.cosine_vs_torch_fp32 for g in by_size.values()] for p, by_size in self.cpu_encoders.items()}
        )


def fastest_accurate_cpu(cosines: dict[str, list[float | None]]) -> str | None:
    """The first precision in `CPU_SPEED_ORDER` whose graphs all recorded cosine >= `CPU_MIN_COSINE` vs torch fp32
    (`cosines`: precision -> one cosine per graph). None: none holds it (the plain static graph then runs)."""
    for precision in CPU_SPEED_ORDER:
        found = cosines.get(precision)
        if found and all(c is not None and c >= CPU_MIN_COSINE for c in found):
            return precision
    return None


@dataclass(frozen=True)
class Embedding:
    storage: str  # "int8-per-row" (table int8 [V,H] + scales float32 [V]) | "fp16"
    table: str  # relative to llm.dir
    shape: tuple[int, int]
    scales: str | None = None


@dataclass(frozen=True)
class LlmGguf:
    """The LLM GGUF a bundle exported from llama.cpp files keeps, for `--decoder llamacpp`."""

    file: str  # relative to llm.dir
    architecture: str  # GGUF general.architecture: minicpm | llama | qwen2
    tensor_types: tuple[str, ...]  # ggml types of its tensors, e.g. ("F32", "Q4_0")
    image_embedding_divisor: float  # llama.cpp scales every input embedding by it (MiniCPM's scale_emb), else 1


@dataclass(frozen=True)
class Llm:
    """The int4 decoder. Every file name here is relative to `dir` (use `path()` for the bundle-relative path)."""

    dir: str
    onnx: str
    arch: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    max_position_embeddings: int
    scale_emb: float
    quantization: dict[str, Any]
    embedding: Embedding
    kv_cache: dict[str, Any]
    inputs: dict[str, str]
    outputs: dict[str, str]
    files: tuple[str, ...]
    onnx_data: str | None = None
    intermediate_size: int | None = None
    rope_theta: float | None = None
    rms_norm_eps: float | None = None
    gguf: LlmGguf | None = None

    def path(self, rel: str) -> str:
        return f"{self.dir}/{rel}" if self.dir not in ("", ".") else rel


@dataclass(frozen=True)
class TokenizerInfo:
    file: str
    source: str
    vocab_size: int


@dataclass(frozen=True)
class PromptInfo:
    style: str
    bos_id: int | None
    eos_ids: tuple[int, ...]
    unk_id: int | None
    special_tokens: dict[str, int]


@dataclass(frozen=True)
class FileRecord:
    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class BuildEncoder:
    file: str  # bundle-relative file the runtime session loads for this size (its companions are in `files`)


@dataclass(frozen=True)
class Build:
    """One compiled encoder build under `compiled/`: what made it, for which chip and precision, and what runs it."""

    name: str = _key()
    dir: str = ""
    backend: str = ""  # compile backend: qnn | qai-hub | ax650 | tvm
    chip: str = ""  # chip key (npu_backends.chips)
    precision: str = ""
    runtime: str | None = _nullable(default=None)  # session that runs it (qnn | axengine | tvm); None: none yet
    encoders: dict[int, BuildEncoder] = field(default_factory=dict)  # size -> what the session loads
    files: tuple[str, ...] = ()  # relative to dir
    report: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    preset: str
    version: str
    hf_name: str
    synthetic: bool
    source: dict[str, Any]
    query_num: int
    embed_dim: int


@dataclass(frozen=True)
class Preprocess:
    layout: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    patch_size: int


@dataclass(frozen=True)
class Manifest:
    created_by: str
    created_at: str
    model: ModelInfo
    parts: tuple[str, ...]
    preprocess: Preprocess
    tools: dict[str, str]
    files: tuple[FileRecord, ...]
    vision: Vision | None = None
    llm: Llm | None = None
    tokenizer: TokenizerInfo | None = None
    prompt: PromptInfo | None = None
    compiled: dict[str, Build] = field(default_factory=dict)

    def record(self, path: str) -> FileRecord | None:
        return next((r for r in self.files if r.path == path), None)

    def referenced_paths(self) -> list[str]:
        """Every bundle-relative file a reader opens by name: each must be listed in `files` with its sha256."""
        paths: list[str] = []
        if self.vision:
            paths += [enc.file for enc in self.vision.encoders.values()]
            paths += [g.file for by_size in self.vision.cpu_encoders.values() for g in by_size.values()]
        if self.llm:
            llm = self.llm
            names = [llm.onnx, llm.embedding.table, *llm.files]
            names += [n for n in (llm.onnx_data, llm.embedding.scales, llm.gguf and llm.gguf.file) if n]
            paths += [llm.path(n) for n in names]
        if self.tokenizer:
            paths.append(self.tokenizer.file)
        for build in self.compiled.values():
            paths += [build.report, *(e.file for e in build.encoders.values())]
            paths += [f"{build.dir}/{f}" for f in build.files]
        return list(dict.fromkeys(paths))

    def to_dict(self) -> dict[str, Any]:
        return {"manifest_version": MANIFEST_VERSION, **_plain(self)}


def _plain(obj: Any) -> Any:
    """JSON form of the dataclasses above: key fields dropped (they are the dict key), None fields omitted."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.metadata.get("key") or (value is None and not f.metadata.get("nullable")):
                continue
            out[f.name] = _plain(value)
        return out
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def validate(data: Any, where: str) -> None:
    """Raise a one-line `BundleError` naming the first field that breaks the schema."""
    import jsonschema

    if not isinstance(data, dict):
        raise BundleError(f"{where} is not a minicpmv-edge manifest (not a JSON object)")
    version = data.get("manifest_version")
    if version != MANIFEST_VERSION:
        found = f"manifest_version {version!r}" if "manifest_version" in data else "no manifest_version"
        hint = "; re-export it with this version of minicpmv-edge" if "schema_version" in data or version else ""
        raise BundleError(f"{where} is not a version-{MANIFEST_VERSION} minicpmv-edge manifest ({found}){hint}")
    validator = jsonschema.Draft202012Validator(schema())
    problems = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), [str(p) for p in e.path]))
    if problems:
        err = problems[0]
        name = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        message = err.message.splitlines()[0][:200]
        if err.validator == "pattern" and err.validator_value == schema()["$defs"]["relpath"]["pattern"]:
            message = f"{err.instance!r} is not a path inside the bundle (absolute, '..' or a backslash)"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BundleError(f"{where}: field {name}: {message}{more}")


def _tensor(d: dict[str, Any]) -> TensorSpec:
    return TensorSpec(name=d["name"], shape=tuple(d["shape"]), dtype=d["dtype"])


def _encoder(size: str, d: dict[str, Any]) -> EncoderGraph:
    return EncoderGraph(
        size=int(size),
        file=d["file"],
        input=_tensor(d["input"]),
        output=_tensor(d["output"]),
        opset=d.get("opset"),
        parity=d.get("parity"),
    )


def llm_from_dict(d: dict[str, Any]) -> Llm:
    """The typed `llm` section (also for `export_decoder`'s section before it is part of a manifest)."""
    emb = d["embedding"]
    return Llm(
        dir=d["dir"],
        onnx=d["onnx"],
        onnx_data=d.get("onnx_data"),
        arch=d["arch"],
        hidden_size=d["hidden_size"],
        num_layers=d["num_layers"],
        num_heads=d["num_heads"],
        num_kv_heads=d["num_kv_heads"],
        head_dim=d["head_dim"],
        intermediate_size=d.get("intermediate_size"),
        vocab_size=d["vocab_size"],
        max_position_embeddings=d["max_position_embeddings"],
        rope_theta=d.get("rope_theta"),
        rms_norm_eps=d.get("rms_norm_eps"),
        scale_emb=float(d["scale_emb"]),
        quantization=d["quantization"],
        embedding=Embedding(
            storage=emb["storage"], table=emb["table"], scales=emb.get("scales"), shape=tuple(emb["shape"])
        ),
        kv_cache=d["kv_cache"],
        inputs=d["inputs"],
        outputs=d["outputs"],
        files=tuple(d["files"]),
        gguf=LlmGguf(
            file=d["gguf"]["file"],
            architecture=d["gguf"]["architecture"],
            tensor_types=tuple(d["gguf"]["tensor_types"]),
            image_embedding_divisor=float(d["gguf"]["image_embedding_divisor"]),
        )
        if "gguf" in d
        else None,
    )


def _build(name: str, d: dict[str, Any]) -> Build:
    return Build(
        name=name,
        dir=d["dir"],
        backend=d["backend"],
        chip=d["chip"],
        precision=d["precision"],
        runtime=d["runtime"],
        encoders={int(s): BuildEncoder(file=e["file"]) for s, e in d["encoders"].items()},
        files=tuple(d["files"]),
        report=d["report"],
        summary=d["summary"],
    )


def from_dict(data: Any, where: str = "manifest") -> Manifest:
    """Validate `data` against the schema and build the typed manifest."""
    validate(data, where)
    model, pre = data["model"], data["preprocess"]
    vision = data.get("vision")
    prompt = data.get("prompt")
    tok = data.get("tokenizer")
    manifest = Manifest(
        created_by=data["created_by"],
        created_at=data["created_at"],
        model=ModelInfo(**{k: model[k] for k in (f.name for f in dataclasses.fields(ModelInfo))}),
        parts=tuple(data["parts"]),
        preprocess=Preprocess(
            layout=pre["layout"], mean=tuple(pre["mean"]), std=tuple(pre["std"]), patch_size=pre["patch_size"]
        ),
        tools=data["tools"],
        files=tuple(FileRecord(r["path"], r["bytes"], r["sha256"]) for r in data["files"]),
        vision=Vision(
            shapes=tuple(vision["shapes"]),
            encoders={int(s): _encoder(s, e) for s, e in vision["encoders"].items()},
            cpu_encoders={
                precision: {
                    int(size): CpuGraph(size=int(size), **{k: v for k, v in g.items() if k != "size"})
                    for size, g in by_size.items()
                }
                for precision, by_size in vision.get("cpu_encoders", {}).items()
            },
            cpu_default=vision.get("cpu_default"),
        )
        if vision
        else None,
        llm=llm_from_dict(data["llm"]) if "llm" in data else None,
        tokenizer=TokenizerInfo(file=tok["file"], source=tok["source"], vocab_size=tok["vocab_size"]) if tok else None,
        prompt=PromptInfo(
            style=prompt["style"],
            bos_id=prompt["bos_id"],
            eos_ids=tuple(prompt["eos_ids"]),
            unk_id=prompt["unk_id"],
            special_tokens=prompt["special_tokens"],
        )
        if prompt
        else None,
        compiled={name: _build(name, b) for name, b in data.get("compiled", {}).items()},
    )
    for part in manifest.parts:
        if getattr(manifest, part) is None:
            raise BundleError(f"{where}: field {part}: listed in parts but missing")
    if manifest.llm and (manifest.tokenizer is None or manifest.prompt is None):
        missing = "tokenizer" if manifest.tokenizer is None else "prompt"
        raise BundleError(f"{where}: field {missing}: required with llm")
    return manifest


def read(root: Path) -> Manifest:
    """The typed manifest of bundle `root` (no file hashing here: see `bundle.verify_bundle`)."""
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise BundleError(f"bundle {root} does not exist")
    if not path.exists():
        raise BundleError(f"{root} is not a bundle: no {MANIFEST_NAME}")
    return from_dict(load_json_file(path, max_bytes=MAX_MANIFEST_BYTES, what="manifest", error=BundleError), str(path))
