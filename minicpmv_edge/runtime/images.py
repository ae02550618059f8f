"""Load any user image as an upright 8-bit RGB `PIL.Image`, or fail with a one-line `ImageError`.

The encoder only understands 8-bit RGB, and users hand us phone photos (EXIF-rotated), screenshots with alpha,
palette GIFs, CMYK JPEGs and 16-bit scans. Oversized images are refused from the header, before any pixel is
decoded, so a small board never runs out of memory on a decompression bomb.

High-bit-depth modes are mapped to 8 bits by their nominal range when the pixels fit it (0..65535 for the
integer modes "I;16*" and "I", which is how Pillow stores 16-bit PNG/TIFF; 0..1 for float "F"), which keeps a
photo's real brightness. Pixels outside that range (e.g. 32-bit counts, depth in metres) have no nominal scale
and are stretched over their actual finite min..max instead.

Pillow reports oddities it works around (corrupt EXIF, palette transparency) through `warnings`, which would print
`file:line: UserWarning` noise on the user's stderr: they are logged at debug level instead.

`max_pixels` replaces Pillow's decompression-bomb warning when opening, but Pillow's hard error (over twice
`Image.MAX_IMAGE_PIXELS`, about 179 million pixels) still applies and is reported as the same ImageError.
"""

from __future__ import annotations

import io
import logging
import os
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from minicpmv_edge.errors import ImageError
from minicpmv_edge.userfiles import regular_file

log = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 50_000_000

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa"}
_HIGH_BIT_RANGES = {
    "I;16": 65535.0,
    "I;16L": 65535.0,
    "I;16B": 65535.0,
    "I;16N": 65535.0,
    "I": 65535.0,
    "F": 1.0,
}
# Decoders report broken data through many exception types; all of them mean "corrupt or truncated file".
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)


def load_image(
    source: str | os.PathLike[str] | bytes | Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Open, fully decode, upright and convert `source` (a path, encoded bytes or a PIL image) to RGB.

    Raises ImageError when the source is missing, not an image, corrupt, empty or over `max_pixels` pixels.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return _load(source, max_pixels)
        finally:
            for warning in caught:
                log.debug("image %s: Pillow warned: %s", _label(source), _one_line(warning.message))


def _label(source: str | os.PathLike[str] | bytes | Image.Image) -> str:
    if isinstance(source, Image.Image):
        return "<PIL image>"
    return f"<{len(source)} bytes>" if isinstance(source, bytes) else repr(os.fspath(source))


def _load(source: str | os.PathLike[str] | bytes | Image.Image, max_pixels: int) -> Image.Image:
    name = _label(source)
    if isinstance(source, Image.Image):
        return _decode(source, name, max_pixels)
    fp: io.BytesIO | Path
    if isinstance(source, bytes):
        fp, n_bytes = io.BytesIO(source), len(source)
    else:
        if not os.path.exists(source):
            raise ImageError(f"image {name} not found")
        fp = regular_file(source, "image", ImageError)  # a FIFO or device would block Image.open
        n_bytes = fp.stat().st_size
    if n_bytes == 0:
        raise ImageError(f"image {name} is empty (0 bytes)")
    # Pillow's warning is dropped here: the header check in _decode follows, with the exact count and limit.
    with _pillow_bomb_check(name, warning_is_error=False):
        try:
            img = Image.open(fp)
        except UnidentifiedImageError as exc:
            raise ImageError(f"image {name} is not an image Pillow can read (unknown format or bad header)") from exc
        except OSError as exc:
            raise ImageError(f"cannot read image {name}: {_one_line(exc)}") from exc
    with img:
        return _decode(img, name, max_pixels)


def _decode(img: Image.Image, name: str, max_pixels: int) -> Image.Image:
    """Check the header size, then decode, apply EXIF orientation and convert to RGB (always a new image)."""
    width, height = img.size
    if width == 0 or height == 0:
        raise ImageError(f"image {name} is empty ({width}x{height} pixels)")
    if width * height > max_pixels:
        raise ImageError(
            f"image {name} has {width * height} pixels, over the limit of {max_pixels}: downscale it first"
        )
    # Decoders re-check frame and tile sizes (a GIF frame can outgrow the header): the warning is an error.
    with _pillow_bomb_check(name, warning_is_error=True):
        try:
            img.load()
            upright = ImageOps.exif_transpose(img)
        except _DECODE_ERRORS as exc:
            raise ImageError(f"image {name} is corrupt or truncated: {_one_line(exc)}") from exc
    rgb = _to_rgb(upright, name)
    log.debug("loaded image %s: %dx%d %s -> RGB %dx%d", name, width, height, img.mode, *rgb.size)
    return rgb


def _to_rgb(img: Image.Image, name: str) -> Image.Image:
    """Convert any Pillow mode to RGB: alpha is composited onto white, high bit depths scaled to 8 bits."""
    if img.mode in _HIGH_BIT_RANGES:
        return Image.fromarray(_scale_to_uint8(np.asarray(img), _HIGH_BIT_RANGES[img.mode])).convert("RGB")
    try:
        if img.mode in _ALPHA_MODES or "transparency" in img.info:
            white = Image.new("RGBA", img.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")
        return img.convert("RGB")
    except ValueError as exc:
        raise ImageError(f"image {name} has unsupported pixel mode {img.mode!r}") from exc


def _scale_to_uint8(pixels: np.ndarray, nominal_max: float) -> np.ndarray:
    """Map one channel to uint8 over [0, nominal_max] if it fits there, else over its finite min..max."""
    values = pixels.astype(np.float64)
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if low < 0 or high > nominal_max:
        span = high - low
    else:
        low, span = 0.0, nominal_max
    scaled = (values - low) * (255.0 / span) if span > 0 else np.zeros_like(values)
    return np.clip(np.nan_to_num(np.rint(scaled), nan=0.0), 0, 255).astype(np.uint8)


@contextmanager
def _pillow_bomb_check(name: str, warning_is_error: bool) -> Iterator[None]:
    """Turn Pillow's DecompressionBombError (and, if asked, its warning) into our one-line ImageError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error" if warning_is_error else "ignore", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError(f"image {name} is too large to decode safely: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
