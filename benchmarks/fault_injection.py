"""Kill `export` and `compile` at many points and check that the bundle afterwards still opens and runs.

A careless or unlucky user loses power, presses Ctrl-C twice or gets OOM-killed in the middle of a build; two
terminals compile the same bundle at once. After any of that, the bundle at the path must still open with
hash verification (`Bundle.open(verify=True)`) and answer a question (`minicpmv-edge run`), and the next run
must clean up what the killed one left behind (temp folders are never counted as builds).

Kill points, each a fresh subprocess of this checkout's CLI (tiny preset, synthetic weights):
* hook points: MINICPMV_EDGE_FAULT_AT=<step>[@N] makes the process SIGKILL itself right after that rename or
  write step in `minicpmv_edge/bundle.py` (`FAULT_POINTS`); every step is tried at its 1st and 2nd call;
* timed kills: SIGKILL after delays spread evenly over the command's measured duration, until `--kills`
  processes were killed in all (a run that finishes before its kill is still checked, but is not a kill point).
Export always writes over an existing good bundle (the interesting case); compile targets `ax650n` (the
bundle-writing part needs no Pulsar2; a small calibration folder keeps it short) over a bundle that already
holds that build, so replacing a build is exercised too. Then `--concurrent` rounds start two compiles of one
bundle at the same moment (same build twice, and two different builds): the bundle must open and run and every
compile that reported success must have its build recorded. A failed case restores the bundle from a pristine
copy, so one failure is counted once.

    python benchmarks/fault_injection.py                    # 50 kills each + 3 concurrent rounds (20-25 min)
    python benchmarks/fault_injection.py --kills 10 --concurrent 1    # a quick look (about 5 min)
    python benchmarks/fault_injection.py --only compile --qnn          # adds QNN sm8650 kills at each step (slow)

Prints cases tried / survived per suite and writes benchmarks/results/fault_injection-<date>.json; exits 1
unless every case survived. All timings are host-measured on this machine; weights are synthetic.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minicpmv_edge.bundle import FAULT_ENV, FAULT_POINTS  # noqa: E402
from minicpmv_edge.cli import main as cli_main  # noqa: E402
from minicpmv_edge.runtime.bundle_view import Bundle  # noqa: E402

SAMPLE = ROOT / "minicpmv_edge" / "assets" / "sample.jpg"
RESULTS = ROOT / "benchmarks" / "results"
LEFTOVER_MARKERS = (".tmp-", ".old-", ".tmp")


@dataclass
class Case:
    suite: str
    how: str  # "hook <step>@N", "after 3.20 s", "concurrent ..."
    killed: bool  # the process was killed (False: it finished before the kill came)
    exit_codes: list[int]
    survived: bool
    problem: str = ""
    seconds: float = 0.0  # wall time of the command (up to the kill)


@dataclass
class Suite:
    name: str
    command: list[str]
    seconds_unkilled: float = 0.0
    cases: list[Case] = field(default_factory=list)


TMP = Path(tempfile.gettempdir())  # replaced by a folder of the work folder in main()


def cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """This checkout's CLI in a fresh process (quiet), so a SIGKILL kills only it; its temp files go to TMP."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(TMP), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "minicpmv_edge", "-q", *args],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_to_end(args: list[str]) -> float:
    start = time.perf_counter()
    proc = cli(args)
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"setup command failed ({proc.returncode}): {' '.join(args)}\n{err}")
    return time.perf_counter() - start


def leftovers(bundle: Path) -> list[str]:
    """Temp or aside folders/files a killed run may leave: beside the bundle and inside compiled/."""
    found = [p for p in bundle.parent.iterdir() if p.name.startswith(f".{bundle.name}.")]
    compiled = bundle / "compiled"
    if compiled.is_dir():
        found += [p for p in compiled.iterdir() if any(m in p.name for m in LEFTOVER_MARKERS)]
    if bundle.is_dir():
        found += [p for p in bundle.iterdir() if p.name.startswith(".") and any(m in p.name for m in LEFTOVER_MARKERS)]
    return sorted(str(p.relative_to(bundle.parent)) for p in found)


def opens_and_runs(bundle: Path) -> str:
    """'' if the bundle verifies and answers a question; else what went wrong, in one line."""
    try:
        Bundle.open(bundle, verify=True)
    except Exception as err:  # any failure is a finding, reported by type and message
        return f"does not open: {type(err).__name__}: {str(err)[:200]}"
    out, err = io.StringIO(), io.StringIO()
    args = ["-q", "run", str(bundle), "--image", str(SAMPLE), "--prompt", "hi", "--max-new-tokens", "2", "--json"]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(args)
    except SystemExit as exit_:
        code = exit_.code
    except Exception as exc:  # a traceback from `run` is a finding too
        return f"run raised {type(exc).__name__}: {str(exc)[:200]}"
    if code != 0:
        return f"run exit {code}: {err.getvalue().strip().splitlines()[-1:]}"
    return ""


def _compiled(bundle: Path) -> dict:
    try:
        return json.loads((bundle / "manifest.json").read_text()).get("compiled", {})
    except (OSError, ValueError):
        return {}


def recorded_builds(bundle: Path) -> set[str]:
    """Names of the builds the manifest records."""
    return set(_compiled(bundle))


def recorded_build_dirs(bundle: Path) -> set[str]:
    """Folder names (under compiled/) of the builds the manifest records."""
    return {Path(build["dir"]).name for build in _compiled(bundle).values() if isinstance(build, dict)}


def restore(pristine: Path, bundle: Path) -> None:
    for path in [*bundle.parent.glob(f".{bundle.name}.*"), bundle]:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    shutil.copytree(pristine, bundle, symlinks=True)


def kill_case(suite: Suite, bundle: Path, pristine: Path, *, delay: float | None, hook: str | None) -> Case:
    """One run of the suite's command, killed after `delay` seconds or at hook step `hook`, then the checks."""
    start = time.perf_counter()
    proc = cli(suite.command, {FAULT_ENV: hook} if hook else None)
    killed = False
    if delay is not None:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            killed = True
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if hook:
        killed = proc.returncode == -9
    how = f"hook {hook}" if hook else f"after {delay:.2f} s"
    problem = opens_and_runs(bundle)
    if not killed and proc.returncode != 0:
        problem = problem or f"exit {proc.returncode} without a kill: {err.strip().splitlines()[-1:]}"
    case = Case(suite.name, how, killed, [proc.returncode], not problem, problem, round(seconds, 2))
    if problem:
        restore(pristine, bundle)
    return case


def cleanup_case(suite: Suite, bundle: Path) -> Case:
    """The next complete run after all the kills: it must succeed and leave no temp folders, no stray builds."""
    proc = cli(suite.command)
    _, err = proc.communicate()
    problem = "" if proc.returncode == 0 else f"exit {proc.returncode}: {err.strip().splitlines()[-1:]}"
    left = leftovers(bundle)
    if left:
        problem = problem or f"left behind: {', '.join(left[:5])}"
    compiled = bundle / "compiled"
    if compiled.is_dir():
        stray = {p.name for p in compiled.iterdir() if p.is_dir()} - recorded_build_dirs(bundle)
        if stray:
            problem = problem or f"folders in compiled/ that are not builds in the manifest: {sorted(stray)}"
    problem = problem or opens_and_runs(bundle)
    return Case(suite.name, "next run cleans up", False, [proc.returncode], survived=not problem, problem=problem)


def kill_suite(
    suite: Suite, bundle: Path, pristine: Path, kills: int, log: Callable[[Case], None], *, second_calls: bool = True
) -> None:
    """Hook kills at every step (1st and, with `second_calls`, 2nd call), then timed kills until `kills` processes
    were killed in all; then the clean-up run. Delays follow the golden-ratio sequence over the command's run time,
    which is re-measured downwards whenever a run finishes before its kill (a busy machine got quieter)."""
    restore(pristine, bundle)
    for hook in [f"{step}@{n}" for step in FAULT_POINTS for n in ((1, 2) if second_calls else (1,))]:
        case = kill_case(suite, bundle, pristine, delay=None, hook=hook)
        if case.killed:  # a step the command never reaches (twice) is not a kill point
            suite.cases.append(case)
            log(case)
    killed = sum(c.killed for c in suite.cases)
    if killed < kills:
        suite.seconds_unkilled = run_to_end(suite.command)
    span, attempt = suite.seconds_unkilled, 0
    while killed < kills and attempt < 3 * kills:
        delay = span * ((0.5 + attempt * 0.6180339887) % 1.0)
        case = kill_case(suite, bundle, pristine, delay=delay, hook=None)
        if not case.killed:
            span = min(span, case.seconds)
        killed += case.killed
        attempt += 1
        suite.cases.append(case)
        log(case)
    case = cleanup_case(suite, bundle)
    suite.cases.append(case)
    log(case)


def concurrent_suite(
    suite: Suite, bundle: Path, pristine: Path, rounds: int, precisions: list[tuple[str, str]], log
) -> None:
    """Two compiles of one bundle started together; `precisions` pairs, e.g. (u16, u16) and (u16, u8)."""
    base = suite.command
    for _ in range(rounds):
        for pair in precisions:
            restore(pristine, bundle)
            procs = [cli([*base, "--precision", p]) for p in pair]
            results = [(p.wait(), p.communicate()[1]) for p in procs]
            problem = opens_and_runs(bundle)
            builds = recorded_builds(bundle)
            for precision, (code, err) in zip(pair, results, strict=True):
                lines = err.strip().splitlines()
                if code == 0 and f"ax650n-{precision}" not in builds:
                    problem = problem or f"compile --precision {precision} said done but its build is not recorded"
                if code not in (0, 2) or (code == 2 and (len(lines) != 1 or "Traceback" in err)):
                    problem = problem or f"compile --precision {precision}: exit {code}, stderr {lines[-1:]}"
            case = Case(
                suite.name,
                f"concurrent {pair[0]} + {pair[1]}",
                False,
                [code for code, _ in results],
                survived=not problem,
                problem=problem,
            )
            suite.cases.append(case)
            log(case)
            if problem:
                restore(pristine, bundle)


def calibration_folder(work: Path) -> Path:
    """Six calibration + two held-out images from calibration_data/: enough to exercise the build, and fast."""
    src = ROOT / "calibration_data"
    cal = work / "calibration"
    for sub, n in (("calibration", 6), ("heldout", 2)):
        (cal / sub).mkdir(parents=True)
        for image in sorted(p for p in (src / sub).iterdir() if p.suffix.lower() in {".jpg", ".png"})[:n]:
            shutil.copy(image, cal / sub / image.name)
    return cal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="kill points per command (default 50)")
    parser.add_argument("--concurrent", type=int, default=3, help="rounds of two simultaneous compiles (default 3)")
    parser.add_argument("--only", choices=["export", "compile"], help="one suite only")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    parser.add_argument(
        "--qnn", action="store_true", help="also kill `compile --target sm8650` at each step (emulator: minutes each)"
    )
    args = parser.parse_args()

    global TMP
    work = Path(tempfile.mkdtemp(prefix="minicpmv-edge-faults-"))
    TMP = work / "tmp"  # killed runs leave their system temp folders (synthetic checkpoints, traces) here
    TMP.mkdir()
    started = time.perf_counter()

    def log(case: Case) -> None:
        mark = "ok  " if case.survived else "FAIL"
        kill = "killed" if case.killed else "ran   "
        print(f"{mark} {case.suite:<8} {kill} {case.how:<28} exit {case.exit_codes} {case.problem}", flush=True)

    suites: list[Suite] = []
    try:
        base = work / "base"
        print(f"work folder {work}; exporting the base bundle (tiny, synthetic)", flush=True)
        export_args = ["export", "--model", "tiny", "--synthetic", "--shapes", "280"]
        run_to_end([*export_args, "--out", str(base)])
        cal = calibration_folder(work)
        compile_args = ["--target", "ax650n", "--shapes", "280", "--calibration", str(cal)]

        if args.only in (None, "export"):
            out = work / "export" / "bundle"
            out.parent.mkdir()
            suite = Suite("export", [*export_args, "--out", str(out)])
            suites.append(suite)
            kill_suite(suite, out, base, args.kills, log)

        if args.only in (None, "compile"):
            built = work / "compiled-base"
            shutil.copytree(base, built)
            run_to_end(["compile", str(built), *compile_args])
            target = work / "compile" / "bundle"
            target.parent.mkdir()
            suite = Suite("compile", ["compile", str(target), *compile_args])
            suites.append(suite)
            kill_suite(suite, target, built, args.kills, log)
            if args.qnn:
                qnn_args = ["--target", "sm8650", "--shapes", "280", "--calibration", str(cal)]
                qnn_built = work / "qnn-base"
                shutil.copytree(base, qnn_built)
                run_to_end(["compile", str(qnn_built), *qnn_args])
                qnn_target = work / "qnn" / "bundle"
                qnn_target.parent.mkdir()
                suite = Suite("qnn", ["compile", str(qnn_target), *qnn_args])
                suites.append(suite)
                kill_suite(suite, qnn_target, qnn_built, 0, log, second_calls=False)  # hook steps only: minutes each
            if args.concurrent:
                pairs = [("u16", "u16"), ("u16", "u8")]
                conc = Suite("concurrent", ["compile", str(target), *compile_args])
                suites.append(conc)
                concurrent_suite(conc, target, built, args.concurrent, pairs, log)
        stale_tmp = len(list(TMP.iterdir()))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    total = time.perf_counter() - started
    print()
    print(f"{'suite':<12} {'tried':>6} {'killed':>7} {'survived':>9}  (host-measured, synthetic tiny weights)")
    for suite in suites:
        tried, killed = len(suite.cases), sum(c.killed for c in suite.cases)
        ok = sum(c.survived for c in suite.cases)
        extra = f"  unkilled run {suite.seconds_unkilled:.1f} s" if suite.seconds_unkilled else ""
        print(f"{suite.name:<12} {tried:>6} {killed:>7} {ok:>5} ({100 * ok / max(tried, 1):.0f}%){extra}")
    short = [s.name for s in suites if s.name in ("export", "compile") and sum(c.killed for c in s.cases) < args.kills]
    if short:
        print(f"fewer than {args.kills} kill points in: {', '.join(short)} (runs finished before their kills)")
    all_cases = [c for s in suites for c in s.cases]
    survived = sum(c.survived for c in all_cases)
    print(f"all: {len(all_cases)} cases tried, {survived} survived ({100 * survived / max(len(all_cases), 1):.0f}%)")
    print(f"system temp folders left by killed runs (not bundle state, not counted above): {stale_tmp}")
    print(f"took {total:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"fault_injection-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_text(
        json.dumps(
            {
                "provenance": "host-measured, synthetic tiny weights",
                "seconds": round(total, 1),
                "suites": [{**asdict(s), "cases": [asdict(c) for c in s.cases]} for s in suites],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {path.relative_to(ROOT)}")
    return 0 if survived == len(all_cases) and not short else 1


if __name__ == "__main__":
    sys.exit(main())
