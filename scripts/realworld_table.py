"""Run every real-world case (tests/realworld/cases) and print a Markdown table: the case, the
public source whose idioms it follows, whether the pipeline is correct or buggy, the codes
expected, what tfdoctor reported at warning or above, and whether that verdict is right.

    python scripts/realworld_table.py [--title TEXT] [CASE ...]

A correct case is judged right when tfdoctor reports nothing of warning or above (and no
rule crashed, and every spec was read); a buggy one when one of its expected codes is
reported at warning or above. Default configuration only; the data is written to a temporary
folder per case.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REGISTRY = Path(__file__).resolve().parents[1] / "tests" / "realworld" / "realworld_registry.py"


def _registry():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("tfdoctor_realworld_registry", REGISTRY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _where(findings: list, code: str) -> str:  # type: ignore[type-arg]
    """The first few distinct places a code points at: a step's call, a feature or a tensor."""
    places = []
    for f in findings:
        place = (
            f.where.call
            or f.where.feature
            or (f"tensor {f.where.tensor}" if f.where.tensor else None)
            or (Path(f.where.file).name if f.where.file else None)
        )
        if f.code == code and place and place not in places:
            places.append(place)
    if not places:
        return ""
    shown = ", ".join(f"`{p}`" for p in places[:3]) + (", ..." if len(places) > 3 else "")
    return f" ({shown})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="*", help="only these cases (default: all)")
    parser.add_argument("--title", default="tfdoctor on real-world pipelines")
    args = parser.parse_args()

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    import tfdoctor

    registry = _registry()
    cases = [c for c in registry.load_cases() if not args.cases or c.name in args.cases]
    rows, right, started = [], 0, time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:  # its name is cut from the cells below
        for case in cases:
            verdict = registry.judge(case, Path(tmp) / case.name)
            right += verdict.right
            counts = Counter((f.code, f.severity.label) for f in verdict.findings)
            reported = [
                f"{code} {sev}" + (f" ×{n}" if n > 1 else "") + _where(verdict.findings, code)
                for (code, sev), n in sorted(counts.items())
            ]
            reported += [f"rule {e.code} crashed" for e in verdict.rule_errors]
            reported += [p if len(p) <= 240 else p[:237] + "..." for p in verdict.problems]
            rows.append(
                [
                    case.name,
                    case.source,
                    "correct" if case.correct else "buggy",
                    " or ".join(case.expected) if case.expected else "nothing at warning+",
                    "; ".join(reported) or "nothing",
                    "right" if verdict.right else "**wrong**",
                ]
            )
    seconds = time.perf_counter() - started
    print(f"# {args.title}\n")
    print(
        f"tfdoctor {tfdoctor.__version__} ({Path(tfdoctor.__file__).parent}), TensorFlow {tf.__version__}.\n"
    )
    print("| case | source (repo: path) | pipeline | expected | tfdoctor at warning+ | verdict |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(_cell(c.replace(tmp + os.sep, "")) for c in row) + " |")
    print(f"\n**{right} of {len(rows)} right** ({seconds:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
