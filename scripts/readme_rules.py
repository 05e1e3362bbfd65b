"""Write (or --check) the rule table in README.md from the rule registry: the table is
generated, never edited by hand."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tfdoctor.rules.registry import all_rules  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def table() -> str:
    lines = ["| code | name | severity | what it finds |", "|---|---|---|---|"]
    for r in all_rules():
        lines.append(f"| {r.code} | {r.name} | {r.severity.label} | {r.summary} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    text = README.read_text()
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md rule table is stale: run python scripts/readme_rules.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
