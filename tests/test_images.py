"""load_image: EXIF orientation, mode conversions, and one-line ImageErrors for every bad input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from minicpmv_edge.errors import ImageError
from minicpmv_edge.runtime.images import load_image


def raises_one_line(source, match: str, **kwargs) -> ImageError:
    with pytest.raises(ImageError, match=match) as err:
        load_image(source, **kwargs)
    assert "\n" not in str(err.value)
    return err.value


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 20, 20))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif, quality=95)
    out = load_image(path)
    assert out.size == (20, 40)
    r, _, b = out.getpixel((10, 5))  # the left half is now on top
    assert r > 200 and b < 60


def test_rgba_composited_on_white():
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    img.putpixel((0, 0), (255, 0, 0, 255))
    out = load_image(img)
    assert out.mode == "RGB"
    assert out.getpixel((1, 1)) == (255, 255, 255)
    assert out.getpixel((0, 0)) == (255, 0, 0)


def test_la_half_transparent_black_is_grey():
    out = load_image(Image.new("LA", (2, 2), (0, 128)))
    assert out.mode == "RGB"
    assert all(abs(v - 127) <= 1 for v in out.getpixel((0, 0)))


@pytest.mark.parametrize("transparent", [False, True])
def test_palette_png(tmp_path, transparent):
    img = Image.new("P", (4, 4), 1)
    img.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    path = tmp_path / "p.png"
    img.save(path, transparency=1) if transparent else img.save(path)
    out = load_image(path)
    assert out.mode == "RGB"
    assert out.getpixel((0, 0)) == ((255, 255, 255) if transparent else (10, 200, 30))


def test_cmyk_jpeg(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(path, quality=95)  # pure red in CMYK
    r, g, b = load_image(path).getpixel((4, 4))
    assert r > 230 and g < 30 and b < 30


@pytest.mark.parametrize("mode", ["L", "1"])
def test_grey_and_bilevel(mode):
    out = load_image(Image.new(mode, (3, 3), 255 if mode == "L" else 1))
    assert out.mode == "RGB" and out.getpixel((1, 1)) == (255, 255, 255)


def test_16bit_png_scales_by_type_range(tmp_path):
    values = np.array([[0, 32768], [65535, 257]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    with Image.open(path) as img:
        assert img.mode == "I;16"
    out = np.asarray(load_image(path))
    assert out.shape == (2, 2, 3)
    assert out[..., 0].tolist() == [[0, 128], [255, 1]]


def test_16bit_big_endian_and_float_modes():
    be = Image.frombytes("I;16B", (2, 1), np.array([0, 65535], dtype=">u2").tobytes())
    assert np.asarray(load_image(be))[0, :, 1].tolist() == [0, 255]
    unit = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
    assert np.asarray(load_image(unit))[0, :, 2].tolist() == [0, 128, 255]
    depth = Image.fromarray(np.array([[-2.0, 3.0, 8.0]], dtype=np.float32))  # no nominal range: min..max
    assert np.asarray(load_image(depth))[0, :, 0].tolist() == [0, 128, 255]


def test_bytes_source(tmp_path):
    path = tmp_path / "a.png"
    Image.new("RGB", (5, 3), (1, 2, 3)).save(path)
    out = load_image(path.read_bytes())
    assert out.size == (5, 3) and out.getpixel((0, 0)) == (1, 2, 3)


def test_random_bytes_are_not_an_image(tmp_path):
    path = tmp_path / "noise.png"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    err = raises_one_line(path, "not an image")
    assert "noise.png" in str(err)


def test_truncated_png(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    full = tmp_path / "full.png"
    Image.fromarray(data).save(full)
    cut = tmp_path / "cut.png"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    raises_one_line(cut, "corrupt or truncated")


def test_pixel_limit_checked_before_decoding(tmp_path):
    full = tmp_path / "full.png"
    Image.new("RGB", (100, 80)).save(full)
    err = raises_one_line(full, "over the limit", max_pixels=7999)
    assert str(err) == f"image {str(full)!r} has 8000 pixels, over the limit of 7999: downscale it first"
    # A truncated file reports the size error, so its pixels were never decoded.
    cut = tmp_path / "cut.png"
    cut.write_bytes(full.read_bytes()[:200])
    raises_one_line(cut, "over the limit", max_pixels=7999)
    assert load_image(full, max_pixels=8000).size == (100, 80)


def test_pillow_bomb_error_becomes_image_error(tmp_path, monkeypatch):
    path = tmp_path / "bomb.png"
    Image.new("RGB", (100, 100)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 10000 > 2 * 1000: Pillow refuses to open
    raises_one_line(path, "too large to decode safely")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    raises_one_line(path, "empty")
    raises_one_line(b"", "empty")


def test_zero_size_image():
    raises_one_line(Image.new("RGB", (0, 5)), "empty")


def test_missing_path_and_directory(tmp_path):
    raises_one_line(tmp_path / "nope.png", "not found")
    raises_one_line(str(tmp_path), "is a directory")
