"""The app's generated assets: the shipped sample photo and the reference profiles, from their one source here.

Both the offline build (`apk`) and the Gradle build (`python -m minicpmv_edge.android.app_assets DIR`, run by
app/build.gradle) call this, so the phone shows the same reference figures `bench` compares against.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

SAMPLE_PHOTO = Path(__file__).resolve().parents[1] / "assets" / "sample.jpg"


def write_app_assets(dest: Path) -> list[Path]:
    """sample.jpg (the benchmark photo) and reference_profiles.json (target profiles of bench.reference)."""
    from minicpmv_edge.bench.reference import target_profiles

    dest.mkdir(parents=True, exist_ok=True)
    photo, profiles = dest / "sample.jpg", dest / "reference_profiles.json"
    shutil.copyfile(SAMPLE_PHOTO, photo)
    profiles.write_text(json.dumps([asdict(p) for p in target_profiles()], indent=1))
    return [photo, profiles]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m minicpmv_edge.android.app_assets DIR")
    write_app_assets(Path(sys.argv[1]))
