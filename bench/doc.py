"""docs/benchmarks.md holds one section per writer (`make bench`, `make load`): each run replaces
its own section, between HTML comments, and leaves the others as they were."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
TITLE = "# Benchmarks\n\nWritten by `make bench` and `make load` (do not edit by hand).\n"
ORDER = ("bench", "charge")


def write_section(name, lines):
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    sections = dict(re.findall(r"<!-- (\w+) -->\n(.*?)<!-- /\1 -->\n", text, re.S))
    sections[name] = "\n".join(lines).rstrip("\n") + "\n"
    parts = [TITLE]
    parts += [
        f"\n<!-- {key} -->\n{sections[key]}<!-- /{key} -->\n"
        for key in (*ORDER, *sorted(set(sections) - set(ORDER)))
        if key in sections
    ]
    DOC.write_text("".join(parts), encoding="utf-8")
    return DOC


class Ratio(float):
    """A figure of a bench row that is a ratio of two times, not a duration."""


def figure(value):
    """A bench row's figure: a ratio « ×1,4 »; sub-second times in milliseconds, others in
    seconds."""
    if isinstance(value, Ratio):
        return f"×{value:.2f}".replace(".", ",")
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def cible(value):
    """A bench row's target: « ≤ ×2,00 » for a ratio, « < 300 ms » for a time."""
    return f"≤ {figure(value)}" if isinstance(value, Ratio) else f"< {figure(value)}"
