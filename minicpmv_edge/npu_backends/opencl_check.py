"""Compile generated OpenCL C with clang's OpenCL front end: the strongest check of GPU kernels without a GPU.

What passing proves: the kernels TVM wrote are valid OpenCL C for the stated standard (they parse, every identifier
and builtin resolves, types and address spaces check). What it does not prove: that a vendor driver (Adreno, Mali)
accepts them, that they fit the device's work-group and local-memory limits, that they compute the right numbers,
or how fast they run. No OpenCL device or runtime is used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CL_STD = "CL2.0"
PROVES = "the kernels are valid OpenCL C 2.0 (parse, builtins and types resolve) for clang's OpenCL front end"
DOES_NOT_PROVE = (
    "acceptance by the Adreno/Mali driver compiler, device limits (work-group size, local memory), numerical "
    "results or speed: nothing ran on a GPU"
)


@dataclass(frozen=True)
class OpenClCheck:
    ok: bool | None  # None: not run (clang missing)
    kernels: int
    compiler: str | None
    command: str | None
    errors: str  # first lines of clang's diagnostics, empty when ok
    proves: str = PROVES
    does_not_prove: str = DOES_NOT_PROVE


def check_opencl(source: Path, clang: str = "clang") -> OpenClCheck:
    """`clang -x cl -cl-std=CL2.0 -fsyntax-only` over `source` (with the OpenCL builtin declarations included)."""
    kernels = len(set(re.findall(r"__kernel\s+void\s+(\w+)\s*\(", source.read_text())))
    path = shutil.which(clang)
    if path is None:
        return OpenClCheck(ok=None, kernels=kernels, compiler=None, command=None, errors="clang not found")
    cmd = [path, "-x", "cl", f"-cl-std={CL_STD}", "-Xclang", "-finclude-default-header", "-fsyntax-only", str(source)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    errors = "\n".join(proc.stderr.strip().splitlines()[:10])
    return OpenClCheck(
        ok=proc.returncode == 0,
        kernels=kernels,
        compiler=version[0] if version else path,
        command=" ".join([Path(path).name, *cmd[1:-1], source.name]),
        errors=errors,
    )
