"""onnxslim over a graph whose weights stay on disk, so slimming a full-size encoder fits a laptop.

`onnxslim.slim` on an in-memory 1.6 GB encoder peaked at 15.0 GB RSS (full-size 2.0, 280x280, host-measured):
each of its up to ten optimize + shape-inference rounds copies every weight several times. Here the graph goes in
with its weights as external data (loaded lazily by onnxslim's graph importer, only when a pass needs their
values), and every constant a pass creates or materializes (e.g. the transposed weights of its MatMul+Add -> Gemm
fusion) is spilled to a file on export instead of being inlined, so the protos passed between rounds stay a few
MB. The passes are onnxslim's own; only where the bytes live changes, so the slimmed graph is the same one.

onnxslim quirk handled here: its vendored graph exporter copies `data_location = EXTERNAL` onto a constant whose
values it had loaded and inlines the bytes, leaving an "external" tensor without a location. The exporter hook
below writes such constants to the spill file (large) or marks them inline (small).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import onnx
import onnxslim
from onnx import TensorProto

log = logging.getLogger(__name__)

SPILL_BYTES = 1024  # constants at least this large live in a data file, as in the saved encoders
_ALIGN = 4096


class DataFile:
    """Appends tensor bytes to one external-data file and points TensorProtos into it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = path.open("wb")
        self.offset = 0

    def put(self, proto: TensorProto, data: bytes) -> None:
        """Move `data` (the tensor's raw bytes) into the file; `proto` becomes an external reference to it."""
        if self.offset % _ALIGN:
            pad = _ALIGN - self.offset % _ALIGN
            self._file.write(b"\0" * pad)
            self.offset += pad
        self._file.write(data)
        proto.ClearField("raw_data")
        for field in ("float_data", "int32_data", "int64_data", "double_data", "uint64_data", "string_data"):
            proto.ClearField(field)
        del proto.external_data[:]
        proto.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self.path.name), ("offset", str(self.offset)), ("length", str(len(data)))):
            entry = proto.external_data.add()
            entry.key, entry.value = key, value
        self.offset += len(data)
        self._file.flush()  # onnxslim may read it back within the same round

    def close(self) -> None:
        self._file.close()


def _read_external(proto: TensorProto, folder: Path) -> bytes:
    info = {e.key: e.value for e in proto.external_data}
    with (folder / info["location"]).open("rb") as f:
        f.seek(int(info.get("offset", 0)))
        return f.read(int(info["length"])) if "length" in info else f.read()


@contextlib.contextmanager
def _spilling_exporter(spill: DataFile) -> Iterator[None]:
    from onnxslim.third_party.onnx_graphsurgeon.exporters import onnx_exporter
    from onnxslim.third_party.onnx_graphsurgeon.ir.tensor import LazyValues

    exporter = onnx_exporter.OnnxExporter
    original = exporter.export_tensor_proto

    def export_tensor_proto(tensor):  # onnxslim's own signature
        if isinstance(tensor._values, LazyValues):
            return original(tensor)  # still on disk: the proto that points there
        proto = onnx_exporter.constant_to_onnx_tensor(tensor)
        proto.data_location = TensorProto.DEFAULT
        if len(proto.raw_data) >= SPILL_BYTES:
            spill.put(proto, proto.raw_data)
        return proto

    exporter.export_tensor_proto = staticmethod(export_tensor_proto)
    try:
        yield
    finally:
        exporter.export_tensor_proto = original


def slim_on_disk(model_path: Path, work: Path) -> onnx.ModelProto:
    """onnxslim `model_path` (weights as external data beside it) without loading the weights into memory.

    Returns the slimmed graph; its large initializers are external references into files in `model_path`'s folder
    (the input's data file, or `work`'s spill file, which must be in the same folder). Read them with
    `save_with_weights` before that folder goes away.
    """
    folder = model_path.parent
    if work != folder:
        raise ValueError("the spill file must sit beside the model: external locations are folder-relative")
    model = onnx.load(str(model_path), load_external_data=False)
    spill = DataFile(folder / f"{model_path.stem}.spill.data")
    try:
        # onnx resolves relative external locations against the working directory when no base dir is given,
        # which is how onnxslim's lazy loads read them
        with contextlib.chdir(folder), _spilling_exporter(spill):
            slimmed = onnxslim.slim(model)
    finally:
        spill.close()
    return slimmed


def initializer_bytes(model: onnx.ModelProto) -> int:
    """Bytes of all initializers, inline or external (no data is read)."""
    total = 0
    for init in model.graph.initializer:
        count = 1
        for d in init.dims:
            count *= d
        total += count * onnx.helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
    return total


def save_with_weights(model: onnx.ModelProto, source: Path, out_path: Path, *, external: bool) -> None:
    """Save `model`, reading its external tensors from `source` (a folder) one at a time.

    `external`: weights of at least `SPILL_BYTES` go to `<out name>.data` beside the graph (as `onnx.save_model`
    with `size_threshold=1024` would lay them out), else every weight is inlined into the one file.
    """
    data = DataFile(out_path.with_name(f"{out_path.name}.data")) if external else None
    try:
        for init in model.graph.initializer:
            if init.data_location != TensorProto.EXTERNAL:
                if data is not None and len(init.raw_data) >= SPILL_BYTES:
                    data.put(init, init.raw_data)
                continue
            raw = _read_external(init, source)
            if data is not None and len(raw) >= SPILL_BYTES:
                data.put(init, raw)
            else:
                del init.external_data[:]
                init.data_location = TensorProto.DEFAULT
                init.raw_data = raw
    finally:
        if data is not None:
            data.close()
    onnx.save_model(model, str(out_path))
