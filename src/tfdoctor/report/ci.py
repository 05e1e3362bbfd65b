"""Findings in the formats CI systems read: GitHub Actions workflow commands (annotations on
the files and lines findings name) and SARIF 2.1.0 (code scanning). Both are rendered from a
result's JSON report, as the HTML page is, so a saved report converts the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..rules.registry import fill, get_rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/tfdoctor/tfdoctor"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}  # SARIF's names
_GITHUB = {"error": "error", "warning": "warning", "info": "notice"}
_SPEC_AT = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?:\s|$)")  # "train.py:12 parse_fn"
_ENTRY_AT = re.compile(r"\(entry at line (\d+)\)")  # "train.py:10 parse (entry at line 4)"


def location(
    finding: Mapping[str, Any], specs: Mapping[str, str] | None = None
) -> tuple[str | None, int | None]:
    """(file, line) a finding points at: the spec entry's line in the spec's source file (the
    parse call's line where the entry's is not known), else the data file it names (no line:
    a TFRecord has none). `specs`: spec name -> the file it was read from, as the report lists
    them (a spec's name holds the file's base name only)."""
    where = finding.get("where") or {}
    spec = where.get("spec")
    if isinstance(spec, str):
        found = _SPEC_AT.match(spec)
        if found:
            entry = _ENTRY_AT.search(spec)
            file = (specs or {}).get(spec.split(" (")[0]) or found.group("file")
            return file, int(entry.group(1) if entry else found.group("line"))
    file = where.get("file")
    return (file, None) if isinstance(file, str) else (None, None)


def spec_files(report: Mapping[str, Any]) -> dict[str, str]:
    """Spec name -> the source file it was read from, from the report's `specs`."""
    return {
        str(s["name"]): str(s["file"])
        for s in report.get("specs") or []
        if isinstance(s, Mapping) and s.get("name") and s.get("file")
    }


def _github_escape(text: str, *, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping: a message cannot hold raw newlines or `%`, and a
    property value not `:` or `,` either (they would end it)."""
    out = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return out.replace(":", "%3A").replace(",", "%2C") if property_value else out


def github_annotations(report: Mapping[str, Any]) -> str:
    """One `::error file=...,line=...,title=...::message` line per finding."""
    lines = []
    specs = spec_files(report)
    for f in report.get("findings") or []:
        file, line = location(f, specs)
        props = []
        if file:
            props.append(f"file={_github_escape(file, property_value=True)}")
        if line:
            props.append(f"line={line}")
        title = f"{f['code']} {f['name']}"
        props.append(f"title={_github_escape(title, property_value=True)}")
        fix = (f.get("fix") or {}).get("text")
        message = f["message"] + (f"\nfix: {fix}" if fix else "")
        lines.append(f"::{_GITHUB.get(f['severity'], 'notice')} {','.join(props)}::{_github_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: tfdoctor's rules cited, and one result per finding."""
    findings = list(report.get("findings") or [])
    codes = sorted({f["code"] for f in findings})
    rules = []
    for code in codes:
        found = get_rule(code)
        name = found.name if found is not None else next(f["name"] for f in findings if f["code"] == code)
        doc = fill(found.doc) if found is not None else ""
        summary = doc.strip().splitlines()[0] if doc.strip() else name
        rules.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": doc or summary},
                "help": {"text": f"tfdoctor rules {code}"},
                "defaultConfiguration": {
                    "level": _LEVELS.get(found.severity.label if found is not None else "warning", "warning")
                },
            }
        )
    results = []
    specs = spec_files(report)
    for f in findings:
        file, line = location(f, specs)
        result: dict[str, Any] = {
            "ruleId": f["code"],
            "ruleIndex": codes.index(f["code"]),
            "level": _LEVELS.get(f["severity"], "note"),
            "message": {"text": f["message"]},
            "properties": {"where": f.get("where") or {}, "numbers": f.get("numbers") or {}},
        }
        fix = (f.get("fix") or {}).get("text")
        if fix:
            result["properties"]["fix"] = fix
        if file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
            if line:
                physical["region"] = {"startLine": line}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfdoctor",
                        "version": str(report.get("version", "")),
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _uri(path: str) -> str:
    """A relative path stays relative (code scanning resolves it against the checkout); a
    URL (gs://...) as it is; spaces and other reserved characters percent-encoded."""
    from urllib.parse import quote

    return path if "://" in path else quote(path)


__all__ = ["github_annotations", "location", "sarif"]
