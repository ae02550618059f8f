"""Shared fixtures: tiny synthetic checkpoints and bundles, built once per session (real files, no network).

The expensive steps (export, each chip's compile) run once per session; a test that changes a bundle works on a
copy (`copy_bundle`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

import pytest
from cli_helpers import CliRun, run_main

from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2_6, TINY, ModelPreset

CALIBRATION_DATA = Path(__file__).resolve().parent.parent / "calibration_data"
NO_PULSAR2 = {"MINICPMV_EDGE_PULSAR2": "off"}  # never run a Pulsar2 that happens to be installed
# compiled once per session into `compiled_bundle`: chip -> extra compile flags (the HTP emulator is the slow part:
# sm8650 builds 280 only; test_qnn builds sm8550 at 448, so each shape's context binary is checked once)
SESSION_CHIPS = {"sm8650": ("--shapes", "280"), "ax650n": ()}
SMALL_CALIBRATION, SMALL_HELDOUT = 4, 2


def tiny_variant(base: ModelPreset, name: str) -> ModelPreset:
    """A version's real architecture (positions, GELU, naming, query pos) at the tiny preset's widths."""
    return replace(
        base,
        name=name,
        hf_name=f"synthetic/{name}",
        vision=replace(base.vision, hidden_size=128, num_heads=4, intermediate_size=478, num_layers=2, config_layers=2),
        resampler=replace(base.resampler, embed_dim=256, kv_dim=128),
        llm=TINY.llm,
    )


TINY_25 = tiny_variant(MINICPM_LLAMA3_V_2_5, "tiny-2.5")
TINY_26 = tiny_variant(MINICPM_V_2_6, "tiny-2.6")
TINY_PRESETS = {p.name: p for p in (TINY, TINY_25, TINY_26)}


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """Put the root logger back after each test: `cli.main` reconfigures it (`basicConfig(force=True)`) onto the
    stderr of the moment, which for a test calling `main` directly is a capture stream that is closed afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def copy_bundle(src: Path, dst: Path, *, builds: bool = True) -> Path:
    """A private copy of a bundle (`builds=False`: without its compiled builds, recorded as such)."""
    from minicpmv_edge.bundle import read_manifest, with_files, write_manifest

    shutil.copytree(src, dst, ignore=None if builds else shutil.ignore_patterns("compiled"))
    if not builds:
        manifest = with_files(read_manifest(dst), [], drop_prefix="compiled/")
        write_manifest(dst, dataclasses.replace(manifest, compiled={}))
    return dst


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint

    # small shards so the sharded-index path is exercised
    return write_synthetic_checkpoint(
        TINY, tmp_path_factory.mktemp("ckpt") / "tiny", parts=("vision", "llm"), shard_bytes=300_000
    )


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Path) -> Path:
    """The tiny preset exported from `tiny_checkpoint` at 280 and 448, no builds. Shared: never modify it."""
    from minicpmv_edge.export.pipeline import ExportRequest, export_bundle

    out = tmp_path_factory.mktemp("bundles") / "tiny"
    export_bundle(ExportRequest(preset=TINY, out=out, shapes=(280, 448), checkpoint=tiny_checkpoint))
    return out


@pytest.fixture(scope="session")
def small_calibration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 calibration + 2 held-out images of the shipped set, in its calibration/ + heldout/ layout: enough for the
    tiny model's quantization and a held-out cosine, at a fraction of the emulator time of the full set."""
    root = tmp_path_factory.mktemp("calib")
    for sub, count in (("calibration", SMALL_CALIBRATION), ("heldout", SMALL_HELDOUT)):
        (root / sub).mkdir()
        for path in sorted((CALIBRATION_DATA / sub).iterdir())[:count]:
            shutil.copyfile(path, root / sub / path.name)
    return root


@dataclass(frozen=True)
class SessionBuilds:
    bundle: Path  # the tiny bundle with a qnn sm8650 w8a16 build (280) and an ax650 ax650n u16 build (280, 448)
    runs: dict[str, CliRun]  # chip -> its `compile` CLI run


@pytest.fixture(scope="session")
def session_builds(
    tiny_bundle: Path, small_calibration: Path, tmp_path_factory: pytest.TempPathFactory
) -> SessionBuilds:
    """`compile BUNDLE --target CHIP --calibration small_calibration` through the CLI for each of SESSION_CHIPS,
    into one copy of the tiny bundle."""
    bundle = copy_bundle(tiny_bundle, tmp_path_factory.mktemp("compiled") / "tiny")
    runs = {}
    with mock.patch.dict(os.environ, NO_PULSAR2):
        for chip, flags in SESSION_CHIPS.items():
            runs[chip] = run_main("compile", bundle, "--target", chip, "--calibration", small_calibration, *flags)
            assert runs[chip].rc == 0, runs[chip].err
    return SessionBuilds(bundle, runs)


@pytest.fixture(scope="session")
def compiled_bundle(session_builds: SessionBuilds) -> Path:
    """The tiny bundle compiled for SESSION_CHIPS. Shared: never modify it (`copy_bundle` it)."""
    return session_builds.bundle
