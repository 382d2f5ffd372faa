"""Generate the Teams app icons for Samverkanslotsen using only the standard library.

    python -m manifest.make_icons            # writes manifest/color.png and manifest/outline.png
    python -m manifest.make_icons --preview DIR   # also writes enlarged previews for review

The mark is a compass ("lotsen" = the pilot who knows the way): a ring with four
compass points, the north point highlighted, and the letters "SL" in the middle.

* color.png   192x192, full-bleed accent-colour background, white mark, yellow north point.
              The mark stays inside the central safe area Teams recommends (~120 px).
* outline.png 32x32, white on a transparent background (Teams requirement), same mark
              simplified so it stays crisp at that size.

Shapes are drawn with signed distance functions, which gives anti-aliased edges
without any imaging library. The PNG writer is a minimal zlib + struct encoder, and the
output is byte-for-byte deterministic, so regenerated files only change when the design does.
"""

from __future__ import annotations

import argparse
import math
import struct
import zlib
from pathlib import Path
from typing import Callable, Sequence

HERE = Path(__file__).resolve().parent

# Accent colour of the app (also used as manifest accentColor): deep sea teal.
ACCENT = (0x0B, 0x5C, 0x6E)
WHITE = (0xFF, 0xFF, 0xFF)
NORTH = (0xF5, 0xB7, 0x2E)  # warm beacon yellow for the north point

Rgba = tuple[int, int, int, int]
Sdf = Callable[[float, float], float]


# --------------------------------------------------------------------------- PNG writer


def png_bytes(width: int, height: int, pixels: Sequence[Sequence[Rgba]]) -> bytes:
    """Encode 8-bit RGBA pixels (rows of (r, g, b, a)) as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = bytearray()
    for row in pixels:
        raw.append(0)  # filter type 0 (None) for every scanline
        for r, g, b, a in row:
            raw += bytes((r, g, b, a))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- shapes (SDFs)
# All coordinates are in pixels, y grows downwards. A distance < 0 is inside the shape.


def circle(cx: float, cy: float, r: float) -> Sdf:
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def ring(cx: float, cy: float, r: float, width: float) -> Sdf:
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) - width / 2


def segment(x1: float, y1: float, x2: float, y2: float, width: float) -> Sdf:
    """A straight stroke with round caps."""
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy

    def d(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length2))
        return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy)) - width / 2

    return d


def arc(cx: float, cy: float, r: float, start_deg: float, end_deg: float, width: float) -> Sdf:
    """A circular stroke from start to end angle (degrees, clockwise on screen), round caps."""
    a0 = math.radians(start_deg) % (2 * math.pi)
    span = math.radians(end_deg - start_deg) % (2 * math.pi) or 2 * math.pi
    ends = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in (a0, a0 + span)]

    def d(x: float, y: float) -> float:
        ang = (math.atan2(y - cy, x - cx) - a0) % (2 * math.pi)
        if ang <= span:
            return abs(math.hypot(x - cx, y - cy) - r) - width / 2
        return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - width / 2

    return d


def polygon(points: Sequence[tuple[float, float]]) -> Sdf:
    """Exact signed distance to a simple polygon (after Inigo Quilez)."""
    pts = list(points)

    def d(x: float, y: float) -> float:
        best = float("inf")
        sign = 1.0
        j = len(pts) - 1
        for i in range(len(pts)):
            (xi, yi), (xj, yj) = pts[i], pts[j]
            ex, ey = xj - xi, yj - yi
            wx, wy = x - xi, y - yi
            t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
            bx, by = wx - ex * t, wy - ey * t
            best = min(best, bx * bx + by * by)
            c1, c2, c3 = y >= yi, y < yj, ex * wy > ey * wx
            if (c1 and c2 and c3) or (not c1 and not c2 and not c3):
                sign = -sign
            j = i
        return sign * math.sqrt(best)

    return d


def union(*shapes: Sdf) -> Sdf:
    return lambda x, y: min(s(x, y) for s in shapes)


def subtract(shape: Sdf, hole: Sdf) -> Sdf:
    return lambda x, y: max(shape(x, y), -hole(x, y))


# --------------------------------------------------------------------------- the mark


def letters_sl(cx: float, cy: float, height: float, stroke: float) -> Sdf:
    """The letters "S" and "L" as strokes, centred on (cx, cy)."""
    h = height - stroke  # centre line height
    r = h / 4  # the S is two stacked circles of radius r
    gap = stroke * 1.1
    s_w = 2 * r
    l_w = h * 0.52
    total = s_w + gap + l_w + stroke
    left = cx - total / 2 + stroke / 2
    s_cx = left + r
    top = cy - h / 2
    s_top = arc(s_cx, top + r, r, 90, 335, stroke)  # from the junction round the left to upper right
    s_bottom = arc(s_cx, top + 3 * r, r, -90, 155, stroke)  # from the junction round the right to lower left
    l_x = left + s_w + gap + stroke / 2
    l_shape = union(
        segment(l_x, top, l_x, top + h, stroke),
        segment(l_x, top + h, l_x + l_w, top + h, stroke),
    )
    return union(s_top, s_bottom, l_shape)


def compass_point(cx: float, cy: float, r_in: float, r_out: float, half: float, angle_deg: float) -> Sdf:
    """A triangular compass point from radius r_in to r_out in direction angle (0 = north)."""
    a = math.radians(angle_deg)
    ux, uy = math.sin(a), -math.cos(a)  # outward direction
    px, py = -uy, ux  # perpendicular
    base_x, base_y = cx + ux * r_in, cy + uy * r_in
    tip = (cx + ux * r_out, cy + uy * r_out)
    return polygon([(base_x + px * half, base_y + py * half), tip, (base_x - px * half, base_y - py * half)])


def render(size: int, layers: Sequence[tuple[Sdf, tuple[int, int, int]]], background: Rgba) -> list[list[Rgba]]:
    """Composite anti-aliased layers (painter's order) over a background colour."""
    out: list[list[Rgba]] = []
    for j in range(size):
        row: list[Rgba] = []
        y = j + 0.5
        for i in range(size):
            x = i + 0.5
            r, g, b, a = (c / 255 for c in background)
            # colours are kept premultiplied while compositing
            r, g, b = r * a, g * a, b * a
            for sdf, colour in layers:
                cov = max(0.0, min(1.0, 0.5 - sdf(x, y)))
                if cov <= 0.0:
                    continue
                cr, cg, cb = (c / 255 for c in colour)
                r = cr * cov + r * (1 - cov)
                g = cg * cov + g * (1 - cov)
                b = cb * cov + b * (1 - cov)
                a = cov + a * (1 - cov)
            if a > 0:
                r, g, b = r / a, g / a, b / a
            row.append(tuple(round(v * 255) for v in (r, g, b, a)))  # type: ignore[misc]
        out.append(row)
    return out


def color_icon() -> list[list[Rgba]]:
    s = 192
    c = s / 2
    # Everything stays within a radius of 60 px: the 120x120 safe area of Teams' icon guidance.
    ring_r, ring_w = 39.0, 5.5
    points = [compass_point(c, c, ring_r - 2, ring_r + 16, 7.5, ang) for ang in (90, 180, 270)]
    north = compass_point(c, c, ring_r - 2, 60.0, 9.5, 0)
    white_mark = union(
        ring(c, c, ring_r, ring_w),
        *points,
        letters_sl(c, c + 1, 32.0, 6.0),
    )
    return render(s, [(white_mark, WHITE), (north, NORTH)], (*ACCENT, 255))


def outline_icon() -> list[list[Rgba]]:
    s = 32
    c = s / 2
    ring_r, ring_w = 11.0, 1.6
    # The north point is cut out of the ring so it reads as a pointer, not a blob.
    north = compass_point(c, c, ring_r - 1.0, ring_r + 4.6, 3.2, 0)
    others = [compass_point(c, c, ring_r - 0.5, ring_r + 3.3, 2.2, ang) for ang in (90, 180, 270)]
    mark = union(ring(c, c, ring_r, ring_w), north, *others, letters_sl(c, c + 0.25, 10.5, 1.7))
    return render(s, [(mark, WHITE)], (0, 0, 0, 0))


def enlarge(pixels: list[list[Rgba]], factor: int, backdrop: tuple[int, int, int]) -> list[list[Rgba]]:
    """Nearest-neighbour enlargement on an opaque backdrop, for reviewing small icons."""
    out = []
    for row in pixels:
        flat: list[Rgba] = []
        for r, g, b, a in row:
            k = a / 255
            px = tuple(round(v * k + bg * (1 - k)) for v, bg in zip((r, g, b), backdrop))
            flat.extend([(*px, 255)] * factor)  # type: ignore[list-item]
        out.extend([flat] * factor)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where to write color.png and outline.png")
    parser.add_argument("--preview", type=Path, help="also write enlarged previews into this folder")
    args = parser.parse_args(argv)

    color, outline = color_icon(), outline_icon()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "color.png").write_bytes(png_bytes(192, 192, color))
    (args.out_dir / "outline.png").write_bytes(png_bytes(32, 32, outline))
    print(f"wrote {args.out_dir / 'color.png'} (192x192) and {args.out_dir / 'outline.png'} (32x32)")
    if args.preview:
        args.preview.mkdir(parents=True, exist_ok=True)
        for name, backdrop in (("outline-on-dark.png", (0x29, 0x29, 0x29)), ("outline-on-accent.png", ACCENT)):
            big = enlarge(outline, 12, backdrop)
            (args.preview / name).write_bytes(png_bytes(len(big[0]), len(big), big))
        big = enlarge(color, 3, (255, 255, 255))
        (args.preview / "color-x3.png").write_bytes(png_bytes(len(big[0]), len(big), big))
        print(f"previews in {args.preview}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
