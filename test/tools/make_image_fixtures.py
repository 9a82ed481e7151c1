"""Writes the small image files of test/fixtures/image-decode/ (decoder parity with Pillow) and
test/fixtures/image-broken/ (inputs that must fail with a typed error). Deterministic.

    /usr/bin/python3 test/tools/make_image_fixtures.py   # then: test/tools/pil_preprocess.py

Needs numpy, Pillow and ffmpeg (for the 4:4:0 JPEG). PNGs are written by hand so that every
colour type and bit depth (and Adam7 interlacing) is covered.
"""
import io
import os
import struct
import subprocess
import tempfile
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')
DECODE = os.path.join(ROOT, 'image-decode')
BROKEN = os.path.join(ROOT, 'image-broken')
W, H = 61, 47  # odd sizes: partial JPEG MCUs and chroma edges


def synthetic(w, h, channels, seed, depth=8):
    """Gradients, a hard edge and noise: exercises smooth and sharp content."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    top = (1 << depth) - 1
    planes = []
    for c in range(channels):
        g = (x * (c + 1) * 7 + y * (5 - c) * 3) % (top + 1) if depth <= 8 else (x * 1021 + y * 613 * (c + 1)) % (top + 1)
        g = np.where((x - w // 2) ** 2 + (y - h // 2) ** 2 < (h // 3) ** 2, top - g, g)
        noise = rng.integers(-(top // 16), top // 16 + 1, size=(h, w))
        planes.append(np.clip(g + noise, 0, top))
    return np.stack(planes, axis=-1).astype(np.uint16 if depth == 16 else np.uint8)


# --- PNG writer ------------------------------------------------------------------------------------

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)


def pack_row(row, depth):
    if depth == 16:
        return row.astype('>u2').tobytes()
    if depth == 8:
        return row.astype(np.uint8).tobytes()
    per = 8 // depth
    out = bytearray()
    vals = [int(v) for v in row]
    for i in range(0, len(vals), per):
        byte = 0
        for j in range(per):
            v = vals[i + j] if i + j < len(vals) else 0
            byte |= v << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_bytes(arr, color_type, depth, palette=None, trns=None, interlace=False):
    h, w = arr.shape[:2]
    flat = arr.reshape(h, w, -1)
    raw = b''
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            sub = flat[y0::dy, x0::dx]
            if sub.size:
                raw += b''.join(b'\0' + pack_row(r.reshape(-1), depth) for r in sub)
    else:
        raw = b''.join(b'\0' + pack_row(flat[y].reshape(-1), depth) for y in range(h))
    out = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        out += chunk(b'PLTE', bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        out += chunk(b'tRNS', trns)
    return out + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


def write(folder, name, data):
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def make_pngs():
    rgb = synthetic(W, H, 3, 1)
    write(DECODE, 'png_rgb8.png', png_bytes(rgb, 2, 8))
    write(DECODE, 'png_rgb8_adam7.png', png_bytes(rgb, 2, 8, interlace=True))
    write(DECODE, 'png_rgb8_trns.png', png_bytes(rgb, 2, 8, trns=struct.pack('>HHH', *[int(v) for v in rgb[0, 0]])))
    write(DECODE, 'png_rgba8.png', png_bytes(synthetic(W, H, 4, 2), 6, 8))
    write(DECODE, 'png_l8.png', png_bytes(synthetic(W, H, 1, 3), 0, 8))
    write(DECODE, 'png_la8.png', png_bytes(synthetic(W, H, 2, 4), 4, 8))
    for depth in (1, 2, 4):
        write(DECODE, f'png_l{depth}.png', png_bytes(synthetic(W, H, 1, 5, depth), 0, depth))
    rng = np.random.default_rng(6)
    for depth in (1, 2, 4, 8):
        n = 1 << depth
        palette = rng.integers(0, 256, size=(n, 3))
        idx = synthetic(W, H, 1, 7 + depth, depth)
        write(DECODE, f'png_p{depth}.png', png_bytes(idx, 3, depth, palette=palette))
    palette = rng.integers(0, 256, size=(256, 3))
    alpha = bytes(rng.integers(0, 256, size=256).astype(np.uint8))
    write(DECODE, 'png_p8_trns.png', png_bytes(synthetic(W, H, 1, 20), 3, 8, palette=palette, trns=alpha))
    write(DECODE, 'png_l16.png', png_bytes(synthetic(W, H, 1, 21, 16) // 97, 0, 16))  # many values above 255
    write(DECODE, 'png_la16.png', png_bytes(synthetic(W, H, 2, 22, 16), 4, 16))
    write(DECODE, 'png_rgb16.png', png_bytes(synthetic(W, H, 3, 23, 16), 2, 16))
    write(DECODE, 'png_rgba16.png', png_bytes(synthetic(W, H, 4, 24, 16), 6, 16))


# --- JPEG and GIF via Pillow / ffmpeg ---------------------------------------------------------------

def pil_bytes(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def make_jpegs():
    rgb = Image.fromarray(synthetic(W, H, 3, 30))
    write(DECODE, 'jpg_420.jpg', pil_bytes(rgb, 'JPEG', quality=90, subsampling=2))
    write(DECODE, 'jpg_422.jpg', pil_bytes(rgb, 'JPEG', quality=90, subsampling=1))
    write(DECODE, 'jpg_444.jpg', pil_bytes(rgb, 'JPEG', quality=90, subsampling=0))
    write(DECODE, 'jpg_420_q15.jpg', pil_bytes(rgb, 'JPEG', quality=15, subsampling=2))
    write(DECODE, 'jpg_420_progressive.jpg', pil_bytes(rgb, 'JPEG', quality=85, subsampling=2, progressive=True))
    write(DECODE, 'jpg_420_optimized.jpg', pil_bytes(rgb, 'JPEG', quality=75, subsampling=2, optimize=True))
    narrow = Image.fromarray(synthetic(3, 40, 3, 31))  # chroma 2 samples wide: libjpeg's plain upsampling
    write(DECODE, 'jpg_420_narrow.jpg', pil_bytes(narrow, 'JPEG', quality=90, subsampling=2))
    write(DECODE, 'jpg_grey.jpg', pil_bytes(Image.fromarray(synthetic(W, H, 1, 32)[..., 0]), 'JPEG', quality=90))
    write(DECODE, 'jpg_cmyk.jpg', pil_bytes(Image.fromarray(synthetic(W, H, 4, 33), 'CMYK'), 'JPEG', quality=90))
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, 'in.png'), os.path.join(tmp, 'out.jpg')
        rgb.save(src)
        subprocess.run(['ffmpeg', '-loglevel', 'error', '-y', '-i', src, '-frames:v', '1', '-pix_fmt', 'yuvj440p',
                        '-q:v', '3', dst], check=True)
        with open(dst, 'rb') as f:
            write(DECODE, 'jpg_440.jpg', f.read())


def make_gif():
    frames = [Image.fromarray(synthetic(W, H, 3, 40 + i)).quantize(64, dither=Image.Dither.NONE) for i in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, 'GIF', save_all=True, append_images=frames[1:], duration=100, loop=0)
    write(DECODE, 'gif_animated.gif', buf.getvalue())
    # palette index 0 transparent, with a colour that is not black: convert("RGB") shows that colour
    idx = (synthetic(W, H, 1, 42)[..., 0] // 64).astype(np.uint8)
    im = Image.fromarray(idx, 'P')
    im.putpalette([10, 20, 30, 200, 100, 50, 0, 255, 0, 250, 250, 250] + [0] * (252 * 3))
    buf = io.BytesIO()
    im.save(buf, 'GIF', transparency=0)
    write(DECODE, 'gif_transparent.gif', buf.getvalue())


# --- broken inputs ------------------------------------------------------------------------------------

def make_broken():
    png = open(os.path.join(DECODE, 'png_rgb8.png'), 'rb').read()
    jpg = open(os.path.join(DECODE, 'jpg_420.jpg'), 'rb').read()
    gif = open(os.path.join(DECODE, 'gif_animated.gif'), 'rb').read()
    write(BROKEN, 'truncated.png', png[: len(png) // 2])
    write(BROKEN, 'truncated.jpg', jpg[: len(jpg) * 6 // 10])
    write(BROKEN, 'no_end_marker.jpg', jpg[:-2])
    write(BROKEN, 'truncated.gif', gif[:60])
    tiny_idat = chunk(b'IDAT', zlib.compress(b'\0\0\0\0'))
    header = b'\x89PNG\r\n\x1a\n'
    write(BROKEN, 'zero_width.png', header + chunk(b'IHDR', struct.pack('>IIBBBBB', 0, 16, 8, 2, 0, 0, 0)) + tiny_idat
          + chunk(b'IEND', b''))
    write(BROKEN, 'huge_100000x100000.png', header + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0))
          + tiny_idat + chunk(b'IEND', b''))
    sof = jpg.index(b'\xff\xc0')
    huge_jpg = bytearray(jpg)
    huge_jpg[sof + 5:sof + 9] = struct.pack('>HH', 65000, 65000)
    write(BROKEN, 'huge_65000x65000.jpg', bytes(huge_jpg))
    write(BROKEN, 'bad_header.jpg', b'\xff\xd8\xff\xe0' + bytes(range(256)) * 2)
    write(BROKEN, 'not_an_image.txt', b'This is a caption, not an image.\n')
    write(BROKEN, 'header.webp', b'RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00' + bytes(24))


if __name__ == '__main__':
    os.makedirs(DECODE, exist_ok=True)
    os.makedirs(BROKEN, exist_ok=True)
    make_pngs()
    make_jpegs()
    make_gif()
    make_broken()
