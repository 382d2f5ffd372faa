"""Write every card of the card catalogue to test-artifacts/cards/ so people can look at them.

    python -m scripts.card_gallery            # JSON only: one file per card + index.json
    python -m scripts.card_gallery --png      # also a PNG per card and index.html (headless Chromium)
    python -m scripts.card_gallery --png --only deviation/   # just the cards whose name starts so

The cards come from tests/support/catalog.py: built through the real features and flows over
the fixture knowledge base (tests/fixtures/kb), the same cards tests/test_card_catalog.py
checks. The PNGs are rendered with Microsoft's adaptivecards library (node_modules/adaptivecards)
and a Teams-like host config in Debian's chromium (scripts/card_gallery.js); they are close to,
not identical with, what Teams shows. A JSON file can be pasted into the Adaptive Cards Designer
(https://adaptivecards.io/designer, host app "Microsoft Teams") to compare.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-artifacts" / "cards"
RENDERER = ROOT / "scripts" / "card_gallery.js"


def chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


def render_pngs(items: list[dict], out: Path) -> dict[str, str]:
    """stem → PNG path (or an error) for each card, rendered in one Chromium."""
    browser = chromium()
    if browser is None:
        raise SystemExit("card_gallery: chromium is not installed (scripts/setup.sh --e2e installs it)")
    node = os.environ.get("NODE") or shutil.which("node")
    if node is None:
        raise SystemExit("card_gallery: node is not on PATH")
    payload = json.dumps({"outDir": str(out), "chromium": browser, "cards": items}, ensure_ascii=False)
    proc = subprocess.run(
        [node, str(RENDERER)],
        input=payload.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        start_new_session=True,
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"card_gallery: rendering failed (exit {proc.returncode}):\n"
            f"{proc.stderr.decode('utf-8', 'replace')[-3000:]}"
        )
    return json.loads(proc.stdout.decode("utf-8"))


def write_index_html(out: Path, entries: list[dict]) -> Path:
    rows = []
    for e in entries:
        problems = "".join(f"<li>{html.escape(p)}</li>" for p in e["problems"])
        rows.append(
            f'<section id="{html.escape(e["file_stem"])}"><h2>{html.escape(e["name"])}</h2>'
            f"<p>{html.escape(e['note'])}<br><small>template: {html.escape(', '.join(e['templates']))} · "
            f'<a href="{html.escape(e["json"])}">JSON</a></small></p>'
            + (f'<ul class="problems">{problems}</ul>' if problems else "")
            + (f'<img src="{html.escape(e["png"])}" alt="{html.escape(e["name"])}">' if e.get("png") else "")
            + "</section>"
        )
    toc = "".join(f'<li><a href="#{html.escape(e["file_stem"])}">{html.escape(e["name"])}</a></li>' for e in entries)
    page = f"""<!doctype html><html lang="sv"><meta charset="utf-8"><title>Samverkanslotsen – kortkatalog</title>
<style>body{{font-family:system-ui,sans-serif;margin:24px;background:#f5f5f5}} section{{background:#fff;margin:16px 0;
padding:12px 16px;border-radius:6px}} img{{max-width:560px;border:1px solid #ddd}} h2{{font-size:16px;margin:0 0 4px}}
.problems{{color:#c4314b}} nav ul{{columns:3;font-size:13px}}</style>
<h1>Samverkanslotsen – every card the bot can send ({len(entries)})</h1>
<p>Built by <code>python -m scripts.card_gallery --png</code> from <code>tests/support/catalog.py</code>.</p>
<nav><ul>{toc}</ul></nav>{"".join(rows)}</html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--png", action="store_true", help="also render each card to PNG in headless Chromium")
    parser.add_argument("--only", default="", help="only cards whose catalogue name starts with this")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    from cards.render import check_card
    from tests.support.catalog import build_catalog

    started = time.monotonic()
    catalog = [c for c in build_catalog() if c.name.startswith(args.only)]
    if not catalog:
        print(f"card_gallery: no card name starts with {args.only!r}", file=sys.stderr)
        return 2
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("*.json")) + list(out.glob("*.png")):
        old.unlink()
    try:
        from cards.jsvalidate import JsValidatorUnavailable, validate_cards_js

        renderer_messages = validate_cards_js([c.card for c in catalog])
    except (ImportError, JsValidatorUnavailable) as exc:
        print(f"card_gallery: Microsoft's renderer check skipped: {exc}", file=sys.stderr)
        renderer_messages = [[] for _ in catalog]
    entries = []
    for c, messages in zip(catalog, renderer_messages):
        json_file = out / f"{c.file_stem}.json"
        json_file.write_text(json.dumps(c.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        entries.append(
            {
                "name": c.name,
                "file_stem": c.file_stem,
                "note": c.note,
                "templates": list(c.templates),
                "json": json_file.name,
                "problems": check_card(c.card) + list(messages),
            }
        )
    if args.png:
        rendered = render_pngs([{"stem": c.file_stem, "card": c.card} for c in catalog], out)
        for e in entries:
            result = rendered.get(e["file_stem"], "not rendered")
            if result.endswith(".png"):
                e["png"] = Path(result).name
            else:
                e["problems"].append(f"render: {result}")
        write_index_html(out, entries)
    (out / "index.json").write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    bad = [e for e in entries if e["problems"]]
    what = "JSON and PNG" if args.png else "JSON"
    print(
        f"card_gallery: {len(entries)} cards ({what}) in {out} in {time.monotonic() - started:.1f} s"
        + (f"; open {out / 'index.html'}" if args.png else "")
    )
    for e in bad:
        print(f"  PROBLEM {e['name']}: {'; '.join(e['problems'])}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
