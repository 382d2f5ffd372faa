"""Write lotsen/data/swedish_frequencies.tsv: how common each everyday Swedish word is.

    .venv/bin/python -m scripts.build_wordfreq [--check]

The off-topic detection (lotsen/domain.py) weighs a question's words by how specific they are
to the knowledge base compared with general Swedish: "försörjningsstöd" is common in the
knowledge base and rare in general Swedish, "kallt", "månen" and "lösenord" are the other way
round. The general frequencies come from the `wordfreq` package's small Swedish list (words
with a Zipf frequency of 3 or more, about 30,000), written here once so that the bot does not
install wordfreq's 57 MB of data for 40 languages; wordfreq is a development requirement only.
`--check` fails when the shipped file differs from what this script writes (tests run it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "lotsen" / "data" / "swedish_frequencies.tsv"
LANGUAGE = "sv"
WORDLIST = "small"

HEADER = """\
# Everyday Swedish word frequencies (Zipf scale: log10 of occurrences per billion words), from
# wordfreq {version} ({wordlist} list, language "{language}"), written by scripts/build_wordfreq.py:
# do not edit by hand. Used by lotsen/domain.py to tell words specific to the knowledge base
# from general Swedish.
# Data: wordfreq by Robyn Speer and contributors (https://github.com/rspeer/wordfreq),
# licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); this file is a
# derived subset under the same licence. Sources: Wikipedia, OpenSubtitles, Google Books, Reddit,
# Twitter and web text (see wordfreq's README).
"""


def build() -> str:
    import wordfreq  # noqa: PLC0415  (development requirement only)
    from importlib.metadata import version  # noqa: PLC0415

    freqs = wordfreq.get_frequency_dict(LANGUAGE, wordlist=WORDLIST)
    lines = [HEADER.format(version=version("wordfreq"), wordlist=WORDLIST, language=LANGUAGE)]
    for word in sorted(freqs, key=lambda w: (-freqs[w], w)):
        if word.isalpha():  # no numbers, abbreviations with dots or emoji
            lines.append(f"{word}\t{wordfreq.zipf_frequency(word, LANGUAGE, wordlist=WORDLIST):.2f}\n")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when the shipped file is not up to date")
    args = parser.parse_args(argv)
    text = build()
    words = text.count("\n") - HEADER.count("\n")
    return write_or_check(
        OUT, text, check=args.check, command="python -m scripts.build_wordfreq", note=f"{words} words"
    )


if __name__ == "__main__":
    sys.exit(main())
