"""The HTML report: one self-contained file (no script, no network), rendered from a result's
JSON, so `tfdoctor report saved.json --html` and `scan --html` give the same page.

Jinja2 with autoescape renders the page; the charts are inline SVG drawn here (a few bars and
quantile strips: a plotting library would add megabytes and, for self-contained output,
its own script). Everything that comes from data (feature names, values, file names,
messages) goes through `_text`, which shows control characters as escapes and HTML-escapes
the rest; the page also forbids scripts with a Content-Security-Policy, so an escaping bug
could not run one either."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..findings import Where
from ..rules.registry import fill, get_rule
from .terminal import printable

BAR_WIDTH = 260  # pixels of the longest bar
MAX_BARS = 30
MAX_FILES_SHOWN = 200
LABEL_CHARS = 24  # a bar's label, cut from the left (file names differ at their end); the whole in its title


def _text(value: Any) -> Markup:
    """Data as safe HTML text: control characters as escapes (`\\x1b`), the rest escaped."""
    return escape(printable(str(value), text=True))


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{int(value):,}" if value == int(value) and abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def bars(items: Sequence[tuple[Any, float]], *, unit: str = "") -> Markup:
    """A horizontal bar chart: one labelled bar per item, longest first as given."""
    shown = list(items)[:MAX_BARS]
    if not shown:
        return Markup("")
    top = max((v for _, v in shown), default=0) or 1
    row, label_width = 18, 150
    height = row * len(shown) + 4
    parts = [
        f'<svg class="chart" width="{label_width + BAR_WIDTH + 90}" height="{height}" '
        f'role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(shown):
        y = i * row + 2
        width = max(1.0, BAR_WIDTH * value / top)
        name = _text(label)
        text = str(label)
        short = _text(text if len(text) <= LABEL_CHARS else "…" + text[-(LABEL_CHARS - 1) :])
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{short}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="{row - 5}"><title>{name}: '
            f"{escape(_number(value))}{escape(unit)}</title></rect>"
            f'<text x="{label_width + width + 4:.1f}" y="{y + 13}">'
            f"{escape(_number(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def quantile_strip(quantiles: Mapping[str, float | None] | None) -> Markup:
    """min, q01-q99 and q25-q75 as a strip with the median marked: where the values lie."""
    if not quantiles:
        return Markup("")
    q = {k: v for k, v in quantiles.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    if not {"min", "max", "q25", "q50", "q75"} <= q.keys():
        return Markup("")
    low, high = q["min"], q["max"]
    span = (high - low) or 1.0
    width = 200

    def x(value: float) -> float:
        return 4 + (width - 8) * (value - low) / span

    whisker = (x(q.get("q01", low)), x(q.get("q99", high)))
    title = escape(", ".join(f"{k} {_number(v)}" for k, v in q.items()))
    return Markup(
        f'<svg class="strip" width="{width}" height="18" role="img" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title>"
        f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="9" y2="9" class="range"/>'
        f'<line x1="{whisker[0]:.1f}" x2="{whisker[1]:.1f}" y1="9" y2="9" class="whisker"/>'
        f'<rect x="{x(q["q25"]):.1f}" y="3" width="{max(1.0, x(q["q75"]) - x(q["q25"])):.1f}" height="12"/>'
        f'<line x1="{x(q["q50"]):.1f}" x2="{x(q["q50"]):.1f}" y1="1" y2="17" class="median"/>'
        "</svg>"
    )


def _where(where: Mapping[str, Any]) -> str:
    known = {k: v for k, v in where.items() if k in Where.__dataclass_fields__}
    return Where(**known).describe()


@cache
def _rule_doc(code: str) -> tuple[str, str] | None:
    """(name, explanation) of a rule, thresholds filled in, for the rules the page cites."""
    found = get_rule(code)
    return None if found is None else (found.name, fill(found.doc))


def _feature_rows(features: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for f in features:
        numeric, data = f.get("numeric") or {}, f.get("bytes") or {}
        total = f.get("total_records") or 0
        present = f.get("records_present") or 0
        top = [
            (v.get("value"), v.get("count", 0)) for v in f.get("top_values") or [] if isinstance(v, Mapping)
        ]
        rows.append(
            {
                "name": f.get("path") or f.get("name"),
                "kind": f.get("kind"),
                "kinds": f.get("kinds") or {},
                "present": f"{100 * present / total:.1f}%" if total else "-",
                "per_record": f.get("value_count") or {},
                "numeric": numeric,
                "strip": quantile_strip(numeric.get("quantiles")) if numeric else Markup(""),
                "bytes": data,
                "shapes": bars(sorted((data.get("image_shapes") or {}).items(), key=lambda kv: -kv[1])),
                "top": bars(top),
                "distinct": f.get("distinct_estimate"),
            }
        )
    return rows


def _label_order(order: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The label distribution, and how sorted each file is: runs of one label against the runs
    a shuffled file would have (a ratio far below 1: the file is sorted by label)."""
    if not order:
        return None
    classes = sorted((order.get("classes") or {}).items(), key=lambda kv: -kv[1])
    files = []
    for url, counts in list((order.get("files") or {}).items())[:MAX_FILES_SHOWN]:
        records, runs, expected = (list(counts) + [0, 0, 0])[:3]
        files.append((url.rsplit("/", 1)[-1], round(runs / expected, 3) if expected else 0.0))
    return {**order, "class_bars": bars(classes), "file_bars": bars(files)}


def _drift_rows(report: Mapping[str, Any], findings: list[Any]) -> list[dict[str, Any]]:
    """A compare's drift per feature, the largest first, each with a bar on the 0-1 scale
    both measures share and the findings that name the feature."""
    named: dict[str, list[str]] = {}
    for f in findings:
        feature = (f.get("where") or {}).get("feature")
        if isinstance(feature, str):
            named.setdefault(feature, []).append(f["code"])
    rows = []
    for d in report.get("drift") or []:
        if not isinstance(d, Mapping) or not isinstance(d.get("value"), (int, float)):
            continue
        value = float(d["value"])
        width = max(1.0, 120 * min(1.0, max(0.0, value)))
        bar = Markup(
            f'<svg class="strip" width="124" height="10" xmlns="http://www.w3.org/2000/svg">'
            f'<rect x="2" y="1" width="{width:.1f}" height="8"/></svg>'
        )
        rows.append(
            {**d, "bar": bar, "flagged": ", ".join(sorted(set(named.get(str(d.get("feature")), []))))}
        )
    return sorted(rows, key=lambda row: -float(row["value"]))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tfdoctor.report", "templates"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,  # a key a saved report lacks renders empty, not an error
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["text"] = _text
    env.filters["number"] = _number
    env.filters["where"] = _where
    return env


def render_html(report: Mapping[str, Any], *, fragment: bool = False, images: bool = True) -> str:
    """The page for a result's JSON (`result.to_json()`, or a saved `--json` file). `fragment`:
    without <html>/<head>, for a notebook cell. `images`: thumbnails of each label's images,
    read from the report's files where they can still be read (report/thumbnails.py)."""
    from .thumbnails import thumbnails

    findings = list(report.get("findings") or [])
    cited = sorted({f["code"] for f in findings})
    probe = report.get("probe") or {}
    steps = (report.get("pipeline") or {}).get("steps") or []
    flagged: dict[int, list[str]] = {}
    for f in findings:
        step = (f.get("where") or {}).get("step")
        if isinstance(step, int):
            flagged.setdefault(step, []).append(f["code"])
    context = {
        "report": report,
        "fragment": fragment,
        "summary": report.get("summary") or {},
        "findings": findings,
        "rules": [(code, _rule_doc(code)) for code in cited],
        "features": _feature_rows(report.get("features") or []),
        "files": (report.get("files") or [])[:MAX_FILES_SHOWN],
        "files_hidden": max(0, len(report.get("files") or []) - MAX_FILES_SHOWN),
        "order": _label_order(report.get("label_order")),
        "steps": steps,
        "flagged": flagged,
        "probe": probe,
        "batch_mix": bars(
            [(f"batch {i + 1}", share) for i, share in enumerate(probe.get("label_majority") or [])]
        ),
        "run": report.get("run"),
        "thumbs": thumbnails(report) if images else {},
        "drift_rows": _drift_rows(report, findings),
        "model": report.get("model"),
    }
    return _environment().get_template("report.html.j2").render(**context)


__all__ = ["bars", "quantile_strip", "render_html"]
