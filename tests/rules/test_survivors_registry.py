"""The registry itself (issue 16, mutants that survived scripts/mutation): declaring a rule and
a second check, the errors of a bad declaration, docs with thresholds filled in, sections.
Each test registers a throwaway rule code and puts the registry back as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tfdoctor.config import Thresholds
from tfdoctor.facts import BatchFacts, DatasetStats, PipelineFacts
from tfdoctor.findings import Severity
from tfdoctor.rules import registry
from tfdoctor.rules.registry import REGISTRY, Report, Rule, also, fill, get_rule, rule


@pytest.fixture
def scratch() -> Iterator[None]:
    """The registry as it was before the test (all rule modules imported first)."""
    registry.all_rules()
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


def first(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """One line.

    What it finds:
    something
    """
    yield Report("first")


def second(pipeline: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    yield Report("second")


def test_rule_registers_identity_doc_and_judge(scratch: None) -> None:
    assert rule("TFD998", "scratch-rule", Severity.INFO, requires=(DatasetStats,))(first) is first
    declared = REGISTRY["TFD998"]
    assert (declared.code, declared.name, declared.severity) == ("TFD998", "scratch-rule", Severity.INFO)
    assert declared.doc == first.__doc__
    assert [(j.requires, j.uses, j.check) for j in declared.judges] == [((DatasetStats,), (), first)]


def test_rule_without_a_docstring_has_an_empty_doc(scratch: None) -> None:
    rule("TFD998", "scratch-rule", Severity.INFO, requires=(PipelineFacts,), uses=(BatchFacts,))(second)
    assert REGISTRY["TFD998"].doc == ""
    assert REGISTRY["TFD998"].judges[0].uses == (BatchFacts,)


def test_also_adds_a_second_judge_and_keeps_the_identity(scratch: None) -> None:
    rule("TFD998", "scratch-rule", Severity.WARNING, requires=(DatasetStats,))(first)
    assert also("TFD998", requires=(PipelineFacts,), uses=(BatchFacts,))(second) is second
    declared = REGISTRY["TFD998"]
    assert (declared.code, declared.name, declared.severity, declared.doc) == (
        "TFD998",
        "scratch-rule",
        Severity.WARNING,
        first.__doc__,
    )
    assert [(j.requires, j.uses, j.check) for j in declared.judges] == [
        ((DatasetStats,), (), first),
        ((PipelineFacts,), (BatchFacts,), second),
    ]
    assert declared.requires == (DatasetStats, PipelineFacts)


def test_bad_declarations_name_the_code(scratch: None) -> None:
    with pytest.raises(ValueError, match=r"^TFD998: requires/uses must name fact kinds"):
        rule("TFD998", "scratch-rule", Severity.INFO, requires=(int,))(first)
    with pytest.raises(ValueError, match=r"^TFD998: requires/uses must name fact kinds .*got \[\]"):
        rule("TFD998", "scratch-rule", Severity.INFO, requires=())(first)
    assert "TFD998" not in REGISTRY
    with pytest.raises(ValueError, match="bad rule identity"):
        rule("TFD098", "scratch-rule", Severity.INFO, requires=(DatasetStats,))(first)
    with pytest.raises(ValueError, match="declared twice"):
        rule("TFD101", "scratch-rule", Severity.INFO, requires=(DatasetStats,))(first)


def test_import_rule_modules_imports_every_rule_package() -> None:
    registry._import_rule_modules()  # a second import of the modules changes nothing
    codes = {c[:4] for c in REGISTRY}
    assert {"TFD1", "TFD2", "TFD3", "TFD5", "TFD6", "TFD7", "TFD8"} <= codes


def test_fill_replaces_threshold_fields_only() -> None:
    text = "{tiny_batch_size} and {not_a_field} and {Upper}"
    assert fill(text) == "2 and {not_a_field} and {Upper}"
    assert fill(text, Thresholds(tiny_batch_size=1_000)) == "1,000 and {not_a_field} and {Upper}"


def test_sections_right_after_the_summary_line() -> None:
    """A heading on the line after the summary (no blank line between) still starts a section."""
    doc = (
        "Summary {tiny_batch_size}.\nWhat it finds:\nsmall batches\nof {tiny_batch_size}\nFix:\nbigger ones\n"
    )
    r = Rule("TFD998", "scratch-rule", Severity.INFO, (), doc)
    assert r.summary == "Summary 2."
    assert r.sections() == {"What it finds": "small batches\nof 2", "Fix": "bigger ones"}
    assert r.sections(Thresholds(tiny_batch_size=7)) == {
        "What it finds": "small batches\nof 7",
        "Fix": "bigger ones",
    }


def test_sections_of_a_real_rule() -> None:
    declared = get_rule("tfd101")
    assert declared is not None and declared.code == "TFD101"
    assert list(declared.sections()) == ["What it finds", "Why it hurts training", "Example", "Fix"]
    assert all(declared.sections().values())
