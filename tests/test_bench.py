"""`minicpmv-edge bench`: host runs, device imports, estimates and the like-with-like profile match."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from cli_helpers import CliRun, assert_one_line_error, run_main

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.estimate import VIT_B16_224_FLOPS, decoder_traffic, estimate, vit_flops
from minicpmv_edge.bench.figures import Figure
from minicpmv_edge.bench.importers import detect, import_file
from minicpmv_edge.bench.match import compare
from minicpmv_edge.bench.prompt import build_prompt
from minicpmv_edge.bench.reference import AX650N_AXLLM_MINICPM_V2, AX650N_MINICPM_V2, PROFILES
from minicpmv_edge.bench.schema import load_schema
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.tokenizer import TextTokenizer

DATA = Path(__file__).parent / "data" / "bench"
AX_LOG = DATA / "ax_run_model_encoder_280.log"
HUB_PROFILE = DATA / "qai-hub-sm8650-w8a16" / "profile_280.json"
ANDROID = DATA / "android_benchmark_sample.json"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def host_report(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliRun]:
    """A host bench with the CPU encoder, matched against the ax650n profiles (`--encoder cpu --target ax650n`)."""
    out = tmp_path_factory.mktemp("bench") / "report"
    run = run_main(
        "bench", tiny_bundle, "--runs", "2", "--warmup", "1", "--max-new-tokens", "8",
        "--prompt-tokens", "40", "--threads", "1", "--encoder", "cpu", "--target", "ax650n", "--out", out,
    )  # fmt: skip
    assert run.rc == 0, run.err
    return out, run


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def test_bench_writes_three_files_and_logs_each_run(host_report) -> None:
    out, run = host_report
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    assert "run 1/2" in run.err and "run 2/2" in run.err and "warm-up 1/1" in run.err
    assert f"report: {out}/report.json" in run.out and "profile match:" in run.out


def test_report_matches_its_schema_and_has_every_stage(host_report) -> None:
    report = _report(host_report[0])
    jsonschema.validate(report, load_schema("report"))
    assert report["schema_version"] == 1
    assert report["machine"]["cores"] >= 1 and report["machine"]["threads_used"] == 1 and report["machine"]["cpu"]
    b = report["bundle"]
    assert (b["preset"], b["synthetic"], b["target"], b["encoder_backend"]) == ("tiny", True, "ax650n", "cpu")
    assert b["precision"]["llm"].startswith("int4")
    host = {(f["stage"], f["shape"]): f for f in report["figures"] if f["group"] == "host"}
    for key in [("preprocess", None), ("encode", 280), ("encode_total", None), ("prefill", None), ("ttft", None)]:
        f = host[key]
        assert f["n"] == 2 and f["p10"] <= f["median"] <= f["p90"] and f["value"] == f["median"]
    assert host[("prefill", None)]["tokens"] > 64  # positions: question + template + 64 image tokens
    assert host[("decode", None)]["tokens"] == 7 and host[("decode", None)]["unit"] == "tok/s"
    assert host[("peak_rss", None)]["value"] > 0
    prompt = report["settings"]["prompt"]
    assert abs(prompt["text_tokens"] - 40) <= 2 and "tokenizer" in prompt["counted"]
    assert prompt["prefill_tokens"] == prompt["text_tokens"] + prompt["template_and_image_tokens"]
    assert len(report["token_latency_run"]["latencies_s"]) == 7


def test_every_figure_carries_its_provenance(host_report) -> None:
    out = host_report[0]
    report = _report(out)
    assert report["figures"] and all(f["provenance"] in F.PROVENANCES for f in report["figures"])
    for f in report["figures"]:
        if f["group"] == "host" and f["stage"] in ("encode", "encode_total"):
            assert f["provenance"] == report["bundle"]["encoder_provenance"] == "host-measured"
        if f["group"] == "estimated":
            assert f["provenance"] == "estimated"
    md = (out / "report.md").read_text()
    stage_rows = md.split("## Stages", 1)[1].split("##", 1)[0].splitlines()[4:]
    assert len([r for r in stage_rows if r.startswith("|")]) == len(report["figures"])
    assert all(any(f"| {p} |" in r for p in F.PROVENANCES) for r in stage_rows if r.startswith("|"))
    match_rows = md.split("## Profile match", 1)[1].split("##", 1)[0].splitlines()
    assert all("measured" in r or "estimated" in r for r in match_rows if r.startswith("| ax650n"))


def test_html_is_self_contained_and_embeds_the_plots(host_report) -> None:
    html = (host_report[0] / "report.html").read_text()
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"\b(src|href)\s*=", html, re.I) and "<script" not in html and "<link" not in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2 and "<polyline" in svgs[1]
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    assert "host-measured" in svgs[0] and "reference: ax650n-minicpm-v-2" in svgs[0]


def test_profile_match_never_lets_a_host_figure_meet_a_device_reference(host_report) -> None:
    rows = _report(host_report[0])["profile_match"]
    host_rows = [r for r in rows if r["ours_provenance"] in ("host-measured", "emulated")]
    assert host_rows
    for r in host_rows:
        assert r["meets"] is None and r["comparison"] == "not-comparable"
        assert r["verdict"] == f"not comparable ({r['ours_provenance']} vs device-measured)"
    assert {"meets", "misses"}.isdisjoint(r["verdict"] for r in rows)  # tiny model: nothing is like-with-like


def test_estimates_state_assumptions_and_skip_unknown_chips(host_report) -> None:
    est = _report(host_report[0])["estimates"]
    assert all(a["source"] for a in est["assumptions"])
    assert any(a["unit"] == "GB/s" and a["chip"] == "sm8650" for a in est["assumptions"])
    chips = {c["chip"]: c for c in est["chips"]}
    assert set(chips["sm8650"]["encode_s"]) == {"280", "448"} and chips["sm8650"]["decode_tok_s"] > 0
    assert chips["sm8635"]["encode_s"] == {} and "decode_tok_s" not in chips["sm8635"]  # no published figures
    assert any("skipped" in n for n in chips["sm8635"]["notes"])
    assert "decode_tok_s" not in chips["ax650n"]  # its memory data rate is not published


# ---------------------------------------------------------------------------------------------- importers


def test_ax_run_model_log_is_a_device_measured_encoder_figure() -> None:
    imp = import_file(AX_LOG, preset="minicpm-v-2")
    assert (imp.format, imp.chip) == ("ax-run-model-log", "ax650n")
    (fig,) = imp.figures
    assert (fig.stage, fig.shape, fig.provenance, fig.stat) == ("encode", 280, "device-measured", "mean")
    assert fig.value == pytest.approx(0.733902) and fig.min == pytest.approx(0.729114) and fig.n == 10


def test_ax_run_model_benchmark_json(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"model": "encoder_448.axmodel", "min": 1900.0, "max": 2100.0, "avg": 2000.0}))
    imp = import_file(path)
    assert imp.format == "ax-run-model-json"
    assert (imp.figures[0].shape, imp.figures[0].value, imp.figures[0].model) == (448, 2.0, None)


def test_qai_hub_profile_reads_microseconds_and_the_compile_report(tmp_path: Path) -> None:
    imp = import_file(HUB_PROFILE, preset="minicpm-v-2")
    assert (imp.format, imp.chip, imp.device) == ("qai-hub-profile", "sm8650", "Samsung Galaxy S24 (Family)")
    enc, mem = imp.figures
    assert (enc.stage, enc.shape, enc.stat, enc.n, enc.provenance) == ("encode", 280, "median", 10, "device-measured")
    assert enc.value == pytest.approx(0.04134, abs=1e-4)  # all_inference_times are microseconds
    assert mem.stage == "peak_memory" and mem.value == pytest.approx(416.0) and mem.min == pytest.approx(12.0)
    assert imp.info["compute_units"] == {"npu": 5}
    # a bare profile (no report.json beside it, no per-run times): one reported figure, device unknown
    profile = json.loads(HUB_PROFILE.read_text())
    del profile["execution_summary"]["all_inference_times"]
    bare = tmp_path / "profile_448.json"
    bare.write_text(json.dumps(profile))
    imp = import_file(bare)
    assert (imp.chip, imp.device, imp.figures[0].stat, imp.figures[0].shape) == (None, None, "reported", 448)
    assert imp.figures[0].value == pytest.approx(0.041236)


def test_android_benchmark_json(tmp_path: Path) -> None:
    imp = import_file(ANDROID)
    assert (imp.format, imp.chip) == ("android-benchmark", "sm8650")
    stages = {f.stage: f for f in imp.figures}
    assert set(stages) >= {"preprocess", "encode", "encode_total", "prefill", "ttft", "decode", "peak_memory"}
    assert all(f.provenance == "device-measured" and f.model == "minicpm-v-2" for f in imp.figures)
    assert stages["prefill"].prompt_tokens == 96 and stages["encode_total"].mode == "fixed-280"
    assert len(imp.info["token_latencies_s"]) == 63
    bad = json.loads(ANDROID.read_text())
    del bad["device"]["soc"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(EdgeError, match="android_benchmark schema: device: 'soc' is a required property"):
        import_file(path)


def test_unknown_content_is_not_guessed(tmp_path: Path) -> None:
    assert detect("hello\n")[0] == "unknown" and detect('{"a": 1}')[0] == "unknown" and detect("[1]")[0] == "unknown"
    path = tmp_path / "x.log"
    path.write_bytes(b"\xff\xfe binary \x00")
    with pytest.raises(EdgeError, match="unknown benchmark format"):
        import_file(path)


def test_import_only_report_compares_device_with_device(tmp_path: Path) -> None:
    out = tmp_path / "r"
    run = run_main(
        "bench", "--import", AX_LOG, "--import", HUB_PROFILE, "--import", ANDROID, "--preset", "minicpm-v-2",
        "--out", out,
    )  # fmt: skip
    assert run.rc == 0, run.err
    assert "1 meet" in run.out
    report = _report(out)
    jsonschema.validate(report, load_schema("report"))
    assert report["machine"] is None and report["bundle"] is None and report["estimates"] is None
    assert {i["format"] for i in report["imports"]} == {"ax-run-model-log", "qai-hub-profile", "android-benchmark"}
    seed = [r for r in report["profile_match"] if r["reference"] == AX650N_MINICPM_V2.name]
    assert [(r["comparison"], r["meets"], r["verdict"]) for r in seed] == [("like-with-like", True, "meets")]
    assert all(r["ours_provenance"] == "device-measured" for r in report["profile_match"])
    html = (out / "report.html").read_text()
    assert "https://" not in html and html.count("<svg") == 2  # the Android run's token latencies are plotted


# ---------------------------------------------------------------------------------------------- matching


def _fig(provenance: str, **kw) -> Figure:
    group = {"host-measured": "host", "emulated": "host", "estimated": "estimated"}.get(provenance, "device")
    fields = {"stage": "encode_total", "value": 0.5, "stat": "median", "source": "t", "device": "d"}
    fields |= {"model": "minicpm-v-2", "chip": "ax650n", "mode": "fixed-280", "prompt_tokens": 96}
    return Figure(group=group, provenance=provenance, **(fields | kw))


def test_like_with_like_rules() -> None:
    ref = AX650N_MINICPM_V2
    for prov in ("host-measured", "emulated"):
        m = compare(_fig(prov, value=0.01), ref, "encode_total", 0.8)
        assert (m.meets, m.verdict) == (None, f"not comparable ({prov} vs device-measured)")
    m = compare(_fig("estimated", value=0.1), ref, "encode_total", 0.8)
    assert (m.comparison, m.meets, m.estimate_meets) == ("estimated-vs-device", None, True)
    assert m.verdict.startswith("estimated vs device-measured: would meet")
    assert compare(_fig("device-measured", value=0.9), ref, "encode_total", 0.8).verdict == "misses"
    assert compare(_fig("device-measured", chip="sm8650"), ref, "encode_total", 0.8).verdict.startswith(
        "not comparable (device sm8650"
    )
    assert "model tiny" in compare(_fig("device-measured", model="tiny"), ref, "encode_total", 0.8).verdict
    assert "image fixed-448" in compare(_fig("device-measured", mode="fixed-448"), ref, "encode_total", 0.8).verdict
    prefill = _fig("device-measured", stage="prefill", prompt_tokens=300)
    assert "prompt 300 vs 96" in compare(prefill, ref, "prefill", 0.4).verdict
    decode = _fig("device-measured", stage="decode", value=5.6, mode="fixed-448")
    assert compare(decode, AX650N_AXLLM_MINICPM_V2, "decode", 5.55).verdict == "meets"  # decode: image-independent


def test_emulated_encoder_figures_stay_emulated() -> None:
    """A QNN encoder on the x86 HTP emulator: its figures and the TTFT they feed are `emulated`, never comparable."""
    from types import SimpleNamespace

    from minicpmv_edge.bench.match import profile_match
    from minicpmv_edge.bench.prompt import BenchPrompt
    from minicpmv_edge.bench.reference import target_profiles
    from minicpmv_edge.bench.runner import BenchConfig, summarise
    from minicpmv_edge.runtime.timings import Timings

    def timings(k: float) -> Timings:
        t = Timings(encoder_backend="qnn", encoder_provenance="emulated")
        t.preprocess_s, t.encode_s, t.encode_per_input_s, t.encode_shapes = 0.01, 0.5 * k, [0.5 * k], [280]
        t.prefill_s, t.prefill_tokens, t.ttft_s = 0.2, 180, 0.75 * k
        t.token_latencies_s, t.decode_steps, t.decode_s, t.tokens_generated = [0.1] * 4, 4, 0.4, 5
        return t

    manifest = SimpleNamespace(llm=SimpleNamespace(quantization={"weights": "int4"}))
    bundle = SimpleNamespace(manifest=manifest, preset="minicpm-v-2", synthetic=True, root=Path("b"))
    encoder = SimpleNamespace(name="qnn", provenance="emulated", chip="sm8650", precision="w8a16")
    decoder = SimpleNamespace(name="onnxruntime-int4", provenance="host-measured")
    pipe = SimpleNamespace(bundle=bundle, encoder=encoder, decoder=decoder)
    run = summarise(pipe, BenchConfig(runs=3), BenchPrompt("q", 96, 96), [timings(k) for k in (1.0, 1.1, 0.9)])
    by_stage = {f.stage: f for f in run.figures}
    assert by_stage["encode_total"].provenance == by_stage["ttft"].provenance == "emulated"
    assert by_stage["encode_total"].chip == "sm8650" and by_stage["encode_total"].value == pytest.approx(0.5)
    assert by_stage["prefill"].provenance == by_stage["decode"].provenance == "host-measured"
    assert run.bundle["precision"]["vision"] == "w8a16 (sm8650)" and run.bundle["encoder_backend"] == "qnn"
    rows = profile_match(run.figures, target_profiles())
    emulated = [r for r in rows if r.ours_provenance == "emulated"]
    assert emulated and all(r.verdict == "not comparable (emulated vs device-measured)" for r in emulated)
    assert all(r.meets is None for r in rows)


def test_reference_profiles_are_consistent_and_name_their_sources() -> None:
    from minicpmv_edge.bench.reference import primary_profile, target_profiles
    from minicpmv_edge.npu_backends.chips import CHIPS
    from minicpmv_edge.presets import get_preset
    from minicpmv_edge.runtime.preprocess import MODES

    # the seed profile is the brief's: AX650N, 280x280 image, 96-token prompt: 0.8 s encode, 0.4 s prefill, 5 tok/s
    seed = AX650N_MINICPM_V2
    assert (seed.chip, seed.mode, seed.prompt_tokens, seed.preset) == ("ax650n", "fixed-280", 96, "minicpm-v-2")
    assert (seed.encode_s, seed.prefill_s, seed.decode_tok_s) == (0.8, 0.4, 5.0)
    assert list(PROFILES) == [p.name for p in PROFILES.values()] and len(set(PROFILES)) == len(PROFILES)
    for p in PROFILES.values():
        assert p.source and "http" not in p.source and p.provenance == "device-measured", p.name
        assert p.role in ("target", "calibration", "claim"), p.name
        assert p.chip is None or get_chip(p.chip).key == p.chip, p.name  # canonical keys, not aliases
        assert p.mode is None or p.mode in MODES, p.name
        if p.preset:
            get_preset(p.preset)
        figures = [p.encode_s, p.prefill_s, p.decode_tok_s, p.ttft_s]
        assert all(f is None or (math.isfinite(f) and f > 0) for f in figures), p.name
        if p.role != "claim":
            assert any(f is not None for f in figures), p.name
        for value, bounds in ((p.encode_s, p.encode_range_s), (p.decode_tok_s, p.decode_range_tok_s)):
            assert bounds is None or (value is not None and bounds[0] <= value <= bounds[1]), p.name
    # every chip with a target profile draws its own in the report; others fall back to the seed
    for chip in CHIPS:
        ours = [p for p in target_profiles() if p.chip == chip.key]
        assert primary_profile(chip.key) is (ours[0] if ours else seed)


# ---------------------------------------------------------------------------------------------- estimates, prompt


def test_estimate_counts_and_published_figures_only(tiny_bundle: Path) -> None:
    assert math.isclose(VIT_B16_224_FLOPS, 35.13e9, rel_tol=0.002)  # ViT-B/16: the usual 17.56 GMACs
    assert vit_flops(224, 16, 768, 12, 3072) < VIT_B16_224_FLOPS
    traffic = decoder_traffic(Bundle.open(tiny_bundle), position=100)
    block = Bundle.open(tiny_bundle).llm.quantization["block_size"]
    assert traffic.int4_weight_bytes == block // 8 * traffic.scale_bytes  # one fp32 scale per block of int4 weights
    assert traffic.other_bytes < 10_000  # norms only: the RoPE tables are not read whole per token
    assert traffic.bytes_per_token == traffic.weight_bytes + 100 * traffic.kv_bytes_per_position
    none = get_chip("sm8735")
    assert none.npu_tops_int8 is None and none.mem_bandwidth_gbs is None
    est = estimate({}, traffic, [none], preset="tiny", mode="fixed-280", shapes_per_image=[280])
    assert est.figures == [] and len(est.chips[0]["notes"]) == 2


def test_prompt_has_about_the_asked_number_of_tokens(tiny_bundle: Path) -> None:
    bundle = Bundle.open(tiny_bundle, verify=False)
    tok = TextTokenizer(bundle.tokenizer_file)
    for target in (3, 96, 300):
        p = build_prompt(tok.encode, target)
        assert p.tokens == len(tok.encode(p.text)) and abs(p.tokens - target) <= max(2, target // 50)


# ---------------------------------------------------------------------------------------------- bad input, run_all


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["BUNDLE", "--runs", "0"], ["--runs", "from 1 to"]),
        (["--import", "/does/not/exist.json"], ["import file", "exist.json", "does not exist"]),
        (["--import", "UNKNOWN"], ["unknown benchmark format"]),
        (["BUNDLE", "--import", "UNKNOWN"], ["unknown benchmark format"]),
        ([], ["needs a BUNDLE"]),
        (["--import", str(AX_LOG), "--target", "sm9999"], ["unknown target chip"]),
        (["--import", str(AX_LOG), "--preset", "minicpm-v-9"], ["unknown model preset"]),
        (["BUNDLE", "--target", "sm8650"], ["has no build for sm8650", "minicpmv-edge compile", "--target sm8650"]),
        (["BUNDLE", "--target", "sm8650", "--encoder", "gpu"], ["invalid choice: 'gpu'"]),
    ],
)
def test_bad_input_is_one_line_exit_2(tiny_bundle: Path, tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("nothing to see here\n")
    args = [str(tiny_bundle) if a == "BUNDLE" else str(unknown) if a == "UNKNOWN" else a for a in args]
    assert_one_line_error(run_main("bench", *args, "--out", tmp_path / "Z"), *fragments)
    assert not (tmp_path / "Z").exists()


def test_run_all_dry_run_plans_every_suite(tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / "run_all.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--dry-run", "--results", str(tmp_path), "--bundle", str(tmp_path / "full2")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (summary,) = tmp_path.glob("run_all-*-dry-run.json")
    suites = {s["suite"]: s for s in json.loads(summary.read_text())["suites"]}
    assert set(suites) == {
        "encoder_ort_vs_torch",
        "decoder_vs_llamacpp",
        "encoder_vs_llamacpp_clip",
        "kv_cache_precision",
        "export_memory",
        "run_memory",
        "encoder_op_profile",
        "bandwidth",
    }
    for name, s in suites.items():  # every suite's script is in the repo, so each one is planned, none skipped
        assert (ROOT / "benchmarks" / f"{name}.py").is_file(), name
        assert s["status"] == "planned", s
    assert summary.with_suffix(".md").is_file()
    bad = subprocess.run([sys.executable, str(script), "--only", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown suite" in bad.stderr


def test_theoretical_peak_per_precision() -> None:
    """Operations per cycle from the CPU flags: a Xeon with AMX, a Zen 4 (512-bit on 256-bit pipes), AVX2 only."""
    from minicpmv_edge.bench.peak import _per_cycle

    xeon = _per_cycle({"avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16"}, "6")
    assert {k: v[0] for k, v in xeon.items()} == {"fp32": 64, "int8": 2048, "bf16": 1024}
    zen4 = _per_cycle({"avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16"}, "25")
    assert {k: v[0] for k, v in zen4.items()} == {"fp32": 32, "int8": 128, "bf16": 64}
    assert {k: v[0] for k, v in _per_cycle({"avx2", "fma"}, "23").items()} == {"fp32": 32}


def test_measured_clock_is_a_plausible_cpu_clock() -> None:
    """The peak's clock is measured (a VM's /proc/cpuinfo shows the base clock, which a GEMM then beat): a chain of
    dependent adds, one per cycle, gives this core's GHz."""
    from minicpmv_edge.bench.peak import clock_ghz, measured_clock_ghz

    ghz = measured_clock_ghz(1)
    assert ghz is not None and 0.2 < ghz < 7.0
    assert clock_ghz(1)[1].startswith("measured")
