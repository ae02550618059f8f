"""runtime/memory.py: dropping mapped file pages gives RSS back, keeps the data, and never drops a written page."""

import mmap
import sys
from pathlib import Path

import numpy as np
import pytest

from minicpmv_edge.runtime.memory import drop_mapped_pages, residency, trim_heap

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="procfs and madvise are Linux's")
SIZE = 8 * 1024 * 1024


def test_drop_mapped_pages_unmaps_clean_pages_and_keeps_written_ones(tmp_path: Path) -> None:
    data = np.random.default_rng(0).integers(0, 256, SIZE, dtype=np.uint8)
    path = tmp_path / "weights.bin"
    data.tofile(path)
    with path.open("rb") as f:
        clean = mmap.mmap(f.fileno(), SIZE, access=mmap.ACCESS_COPY)  # private and writable, as ORT maps
        written = mmap.mmap(f.fileno(), SIZE, access=mmap.ACCESS_COPY)
    clean_view = np.frombuffer(clean, dtype=np.uint8)
    written_view = np.frombuffer(written, dtype=np.uint8)
    before = residency()
    assert int(clean_view.sum(dtype=np.int64)) == int(data.sum(dtype=np.int64))  # every page resident
    written_view[::4096] = 7  # one copied-on-write byte per page: this mapping must stay as it is
    loaded = residency()
    assert before is not None and loaded is not None
    assert loaded.file_mb - before.file_mb > 0.9 * SIZE / 2**20

    dropped = drop_mapped_pages(path)
    after = residency()
    assert after is not None
    assert 0.9 * SIZE <= dropped <= SIZE  # the clean mapping only
    assert loaded.file_mb - after.file_mb > 0.9 * SIZE / 2**20
    np.testing.assert_array_equal(clean_view, data)  # faulted back from the file, unchanged
    assert (written_view[::4096] == 7).all()  # the written copy survived
    assert drop_mapped_pages(tmp_path / "not-mapped.bin") == 0
    del clean_view, written_view
    clean.close()
    written.close()


def test_trim_heap_returns_freed_heap_that_free_alone_keeps() -> None:
    blocks = [np.ones(64 * 1024 // 8) for _ in range(1500)]  # ~94 MiB of 64 KiB mallocs: heap, not mmap
    pin = np.ones(64 * 1024 // 8)  # allocated last: the heap cannot shrink from the top past it
    loaded = residency()
    del blocks
    freed = residency()
    assert trim_heap()
    trimmed = residency()
    assert loaded is not None and freed is not None and trimmed is not None
    assert loaded.anon_mb - freed.anon_mb < 20  # free alone gave (almost) nothing back
    assert freed.anon_mb - trimmed.anon_mb > 70
    assert pin.sum() == pin.size
