"""Rules: pure functions of facts to findings, one module per rule group."""

from .registry import REGISTRY, Report, Rule, all_rules, get_rule, rule, run_rules

__all__ = ["REGISTRY", "Report", "Rule", "all_rules", "get_rule", "rule", "run_rules"]
