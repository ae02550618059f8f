"""Memory stream bandwidth of this machine: the denominator of a decode roofline.

Decoding one token reads every weight once, so a memory-bound decoder cannot beat
`weight bytes per token / stream bandwidth`. This measures that bandwidth on arrays far larger than the caches
(default 512 MiB each), best of several runs, in two flavours:

* numpy (always single-threaded): `copy` (dst[:] = src, 2 x N bytes) and `triad_2pass` (a = s * c; a += b: numpy
  has no fused triad, so 5 x N bytes move). STREAM conventions: write-allocate traffic is not counted.
* torch (optional; multi-threaded with `threads` intra-op threads): `copy` (`Tensor.copy_`), `triad`
  (`torch.add(b, c, alpha=s, out=a)`, one fused pass), and `read` (`Tensor.sum`, N bytes read, nothing written:
  the access pattern of a decode step, which streams weights and writes almost nothing).

The figure a roofline should use is the multi-threaded one at the decoder's own thread count; `roofline_gbps`
picks the STREAM triad (torch, else numpy) and the result keeps every flavour so a reader can pick another.

    python benchmarks/bandwidth.py [--threads 2] [--mib 512] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import numpy as np

from minicpmv_edge.bench.peak import best_seconds

GB = 1e9


def numpy_bandwidth(mib: int = 512, repeats: int = 5) -> dict[str, float]:
    """Single-threaded numpy copy / triad in GB/s (1e9 bytes/s) over float32 arrays of `mib` MiB each."""
    n = mib * 1024 * 1024 // 4
    a = np.zeros(n, np.float32)
    b = np.ones(n, np.float32)
    c = np.full(n, 2.0, np.float32)
    nbytes = a.nbytes
    copy = best_seconds(lambda: np.copyto(a, b), repeats)

    def triad() -> None:
        np.multiply(c, np.float32(3.0), out=a)  # two passes: a = 3c, then a += b
        np.add(a, b, out=a)

    t_triad = best_seconds(triad, repeats)
    # triad() is two numpy passes (read c write a, read a+b write a): 5 x N bytes actually move.
    return {"copy": 2 * nbytes / copy / GB, "triad_2pass": 5 * nbytes / t_triad / GB}


def torch_bandwidth(threads: int, mib: int = 512, repeats: int = 5) -> dict[str, float] | None:
    """torch copy / fused triad / read-only sum with `threads` intra-op threads, GB/s; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        n = mib * 1024 * 1024 // 4
        a = torch.zeros(n)
        b = torch.ones(n)
        c = torch.full((n,), 2.0)
        nbytes = a.numel() * 4
        copy = best_seconds(lambda: a.copy_(b), repeats)
        triad = best_seconds(lambda: torch.add(b, c, alpha=3.0, out=a), repeats)
        read = best_seconds(lambda: b.sum(), repeats)
        return {"copy": 2 * nbytes / copy / GB, "triad": 3 * nbytes / triad / GB, "read": nbytes / read / GB}
    finally:
        torch.set_num_threads(previous)


def measure_bandwidth(threads: int | None = None, mib: int = 512, repeats: int = 5) -> dict[str, Any]:
    """Every flavour above plus `roofline_gbps` (torch triad at `threads`, else numpy copy) and how it was got."""
    threads = threads or os.cpu_count() or 1
    result: dict[str, Any] = {
        "array_mib": mib,
        "repeats": repeats,
        "statistic": "best of repeats",
        "units": "GB/s (1e9 bytes/s), STREAM byte counting (no write-allocate)",
        "numpy_1_thread": numpy_bandwidth(mib, repeats),
        "torch_threads": threads,
        "torch": torch_bandwidth(threads, mib, repeats),
        "loadavg_before": list(os.getloadavg()),
    }
    if result["torch"] is not None:
        result["roofline_gbps"] = result["torch"]["triad"]
        result["roofline_source"] = f"torch fused triad, {threads} threads"
    else:
        result["roofline_gbps"] = result["numpy_1_thread"]["copy"]
        result["roofline_source"] = "numpy copy, 1 thread (torch not installed)"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--mib", type=int, default=512, help="size of each array (>> last-level cache)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args()
    result = measure_bandwidth(args.threads, args.mib, args.repeats)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, value in result["numpy_1_thread"].items():
        print(f"numpy  1 thread   {name:12s} {value:7.2f} GB/s")
    if result["torch"] is not None:
        for name, value in result["torch"].items():
            print(f"torch  {args.threads} threads  {name:12s} {value:7.2f} GB/s")
    print(f"roofline bandwidth: {result['roofline_gbps']:.2f} GB/s ({result['roofline_source']})")
    print(f"load average before: {result['loadavg_before']}")


if __name__ == "__main__":
    main()
