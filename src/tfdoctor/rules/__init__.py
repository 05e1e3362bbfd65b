"""Rules: pure functions of facts to findings, a package per code hundred."""

from .registry import REGISTRY, Judge, Report, Rule, all_rules, also, get_rule, rule, run_rules

__all__ = ["REGISTRY", "Judge", "Report", "Rule", "all_rules", "also", "get_rule", "rule", "run_rules"]
