"""Write (or --check) the rule table and the thresholds table in README.md, from the rule
registry and from `Thresholds`: the tables are generated, never edited by hand."""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tfdoctor.config import Thresholds  # noqa: E402
from tfdoctor.rules.registry import all_rules  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
RULES = ("<!-- rules:start -->", "<!-- rules:end -->")
THRESHOLDS = ("<!-- thresholds:start -->", "<!-- thresholds:end -->")
_FIELD = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*:")


def table() -> str:
    lines = ["| code | name | severity | what it finds |", "|---|---|---|---|"]
    for r in all_rules():
        lines.append(f"| {r.code} | {r.name} | {r.severity.label} | {r.summary} |")
    return "\n".join(lines)


def threshold_comments() -> dict[str, str]:
    """Each field's comment in the source of `Thresholds` (the lines above the field)."""
    found: dict[str, str] = {}
    comment: list[str] = []
    for line in inspect.getsource(Thresholds).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("# ").strip())
        elif (m := _FIELD.match(line)) is not None:
            found[m.group(1)] = " ".join(comment)
            comment = []
    return found


def thresholds_table() -> str:
    comments = threshold_comments()
    lines = ["| threshold | default | rule: what it sets |", "|---|---|---|"]
    for f in fields(Thresholds):
        if not comments.get(f.name):
            raise SystemExit(f"Thresholds.{f.name} has no comment naming its rule")
        lines.append(f"| `{f.name.replace('_', '-')}` | {f.default!r} | {comments[f.name]} |")
    return "\n".join(lines)


def _replace(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render(text: str) -> str:
    return _replace(_replace(text, RULES, table()), THRESHOLDS, thresholds_table())


def main() -> int:
    text = README.read_text()
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            print(
                "README.md rule or thresholds table is stale: run python scripts/readme_rules.py",
                file=sys.stderr,
            )
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
