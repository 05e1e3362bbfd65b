"""How rules run on hand-made facts: a rule that raises is a RuleError, never a finding, and the
other rules still report; a rule runs only where the facts it requires are known; every
registered rule has unit tests in this folder."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from facts_builders import PLAIN, dataset, feature, images, pipeline_facts

from tfdoctor.config import Config
from tfdoctor.facts import DatasetStats, Facts, PipelineFacts
from tfdoctor.rules import REGISTRY, all_rules, get_rule, run_rules


def test_a_rule_that_raises_on_a_broken_fact_is_a_rule_error() -> None:
    broken = images({"28by28": 5}, unreadable=1)  # a shape key the scan never writes
    facts = Facts(dataset=dataset(feature("image", "bytes", image=broken)))
    findings, errors = run_rules(facts, Config(select=("TFD301", "TFD303", "TFD304")))
    assert [e.code for e in errors] == ["TFD301", "TFD304"]  # both read the image shapes
    assert all(e.error.startswith("ValueError: ") for e in errors)
    assert [f.code for f in findings] == ["TFD303"]  # the rule that does not read them still runs


def test_a_rule_whose_check_raises_is_a_rule_error_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = get_rule("TFD504")
    assert declared is not None

    def boom(*args: Any) -> Any:
        raise RuntimeError("boom")

    broken = replace(declared, judges=tuple(replace(j, check=boom) for j in declared.judges))
    monkeypatch.setitem(REGISTRY, "TFD504", broken)
    facts = Facts(
        pipeline=pipeline_facts([("read", {}), ("map", {"function": "parse"}), ("batch", {"batch_size": 1})])
    )
    findings, errors = run_rules(facts, Config(select=("TFD501", "TFD504")))
    assert [(e.code, e.error.split(" (")[0]) for e in errors] == [("TFD504", "RuntimeError: boom")]
    assert [f.code for f in findings] == ["TFD501"]


def test_a_rule_runs_only_where_the_facts_it_requires_are_known() -> None:
    rule = get_rule("TFD501")
    assert rule is not None and rule.requires == (PipelineFacts,)
    findings, errors = run_rules(Facts(dataset=dataset(feature("label"))), Config(select=("TFD501",)))
    assert (findings, errors) == ([], [])
    both = get_rule("TFD303")
    assert both is not None and both.requires == (DatasetStats, PipelineFacts)
    findings, errors = run_rules(Facts(pipeline=pipeline_facts(PLAIN)), Config(select=("TFD303",)))
    assert (findings, errors) == ([], [])


def test_every_registered_rule_has_unit_tests_here() -> None:
    here = Path(__file__).parent
    text = "\n".join(p.read_text() for p in here.glob("test_tfd*.py"))
    tested = set(re.findall(r'check\(\s*"(TFD\d{3})"', text))
    codes = {r.code for r in all_rules()}
    assert codes - tested == set()
