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
