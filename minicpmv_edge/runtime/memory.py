"""Resident-memory tools for `run`'s peak: what this process holds (`/proc/self/status`) and a way to give back
file pages ONNX Runtime keeps mapped but never reads again. Linux (and Android) only; elsewhere they do nothing.

Why `drop_mapped_pages`: ORT maps the decoder's aligned external data (`decoder.onnx.data`) instead of reading it
and prepacks every MatMulNBits weight into its own buffer, then unmaps the packed originals. The `scales`
initializers are packed too (into the same buffer, accuracy level 4) but ORT 1.32 keeps them: their pages stay
mapped and resident although no kernel reads them again (measured: RssFile does not come back after dropping them
and decoding). At 2.0 size that is ~0.125 bytes per weight: ~325 MiB of RSS for nothing (measured, run_memory.py).
`madvise(MADV_DONTNEED)` on a file mapping none of whose pages was written (smaps: `Anonymous: 0 kB`) only
unmaps them from this process; if anything did read them later, they would be faulted back from the file,
unchanged, so it cannot change results. Mappings with a written page are left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge.leb128 import read_uleb128

log = logging.getLogger(__name__)

MADV_DONTNEED = 4


@dataclass(frozen=True)
class Residency:
    """This process's memory now, MiB: resident (anonymous + file-backed), and the peak so far (VmHWM)."""

    rss_mb: float
    anon_mb: float
    file_mb: float
    peak_mb: float


def residency(pid: int | str = "self") -> Residency | None:
    """`/proc/<pid>/status` as a `Residency` (None where there is no procfs or the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kib = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            kib[key] = int(value.split()[0])
    if len(kib) < 4:
        return None
    return Residency(kib["VmRSS"] / 1024, kib["RssAnon"] / 1024, kib["RssFile"] / 1024, kib["VmHWM"] / 1024)


def _clean_mappings(path: Path) -> list[tuple[int, int, int]]:
    """(start, end, resident bytes) of this process's mappings of `path` that hold no written (copied-on-write,
    anonymous) page, from /proc/self/smaps. ORT maps external data private and writable, so this is what tells
    that dropping a mapping's pages loses nothing."""
    target = str(path.resolve())
    found: list[tuple[int, int, int]] = []
    fields: dict[str, int] = {}
    current: tuple[int, int] | None = None

    def close() -> None:
        if current is not None and fields.get("Anonymous:") == 0 and "Rss:" in fields:
            found.append((*current, fields["Rss:"] * 1024))

    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and ":" not in head[0]:  # a mapping's header: range perms offset dev inode [path]
            close()
            fields = {}
            current = None
            if len(head) == 6 and head[5] == target:
                start, end = (int(x, 16) for x in head[0].split("-"))
                current = (start, end)
        elif current is not None and head[0] in ("Rss:", "Anonymous:"):
            fields[head[0]] = int(head[1])
    close()
    return found


def drop_mapped_pages(path: str | Path) -> int:
    """Unmap the resident pages of this process's unwritten mappings of `path`; returns the bytes dropped.

    For files ONNX Runtime mapped and no longer reads (see the module docstring). 0 where it cannot apply (not
    Linux, no such mapping, no libc madvise).
    """
    if not sys.platform.startswith("linux"):
        return 0
    try:
        mappings = _clean_mappings(Path(path))
    except OSError:
        return 0
    if not mappings:
        return 0
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    dropped = 0
    for start, end, resident in mappings:
        if libc.madvise(start, end - start, MADV_DONTNEED) == 0:
            dropped += resident
        else:
            log.debug("madvise(%x, %d) failed: errno %d", start, end - start, ctypes.get_errno())
    log.info("dropped %.0f MB of mapped pages of %s (%d mappings)", dropped / 1e6, Path(path).name, len(mappings))
    return dropped


def _fields(buf: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int, int, int]]:
    """Protobuf wire fields of `buf[start:end]`: (field number, wire type, field start, value start, field end)."""
    pos, end = start, len(buf) if end is None else end
    while pos < end:
        first = pos
        tag, pos = read_uleb128(buf, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = read_uleb128(buf, pos)
            value = pos
        elif wire == 2:
            length, value = read_uleb128(buf, pos)
            pos = value + length
        elif wire in (1, 5):
            value = pos
            pos += 8 if wire == 1 else 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, first, value, pos


def node_first(model: bytes, output: str) -> bytes | None:
    """The serialized ONNX `model` with the node that writes `output` moved to the front of its graph's node list
    (None if there is no such node). Same nodes, same bytes otherwise; ORT sorts nodes itself before running.

    Why: ORT prepacks MatMulNBits weights in node-list order, each while the packed copies of all earlier ones are
    already resident, and for a moment holds a weight both mapped and packed. lm_head (the `logits` node) is by far
    the largest weight (170 MB of int4 at 2.0 size, 6x an MLP matrix), so packing it last puts its transient on top
    of everything else: measured, listing it first lowers the decoder's load peak by ~160 MiB and leaves the
    steady state as it was. Parsed at the protobuf wire level: the runtime has no `onnx` package.
    """
    for number, wire, _, graph_start, graph_end in _fields(model):
        if number != 7 or wire != 2:  # ModelProto.graph
            continue
        nodes = [f for f in _fields(model, graph_start, graph_end) if f[0] == 1 and f[1] == 2]  # GraphProto.node
        for node in nodes:
            outputs = (model[v:e].decode() for n, w, _, v, e in _fields(model, node[3], node[4]) if n == 2 and w == 2)
            if output in outputs:  # NodeProto.output
                moved = model[node[2] : node[4]]
                rest = model[graph_start : node[2]] + model[node[4] : graph_end]
                return model[:graph_start] + moved + rest + model[graph_end:]
        return None
    return None


def trim_heap() -> bool:
    """Return freed heap pages to the OS (glibc `malloc_trim(0)`); False where there is no glibc.

    Why: after the vision encoder's session is dropped, its ~1.6 GB of freed buffers can stay resident: other
    allocations made meanwhile (the tokenizer's, on the same heap) keep glibc from shrinking it, and `free` alone
    returns only the top. Measured at 2.0 size: RSS 680 -> 150 MiB after releasing the plain fp32 encoder, in
    0.16 s. What it does to `run`'s peak depends on the rest: the decoder's weights reuse most of that freed heap,
    so with the other levers the peak moves by 5 MiB (2435 -> 2430); with a preallocated KV cache, by 178 MiB.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True
