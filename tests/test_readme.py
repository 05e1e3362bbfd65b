"""The README's rule table is generated from the registry and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_rule_table_is_current() -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_rules.py"), "--check"], capture_output=True
    )
    assert res.returncode == 0, res.stderr.decode()


def test_readme_first_screen_has_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in block] == [
        "pip install . && tfdoctor demo",
        'pip install ".[test]" && pytest',
    ]
    assert 'pip install ".[test]" && pytest' in (ROOT / ".ci" / "run").read_text()


def test_readme_configuration_example_loads() -> None:
    import re

    from tfdoctor.config import config_from_table, tomllib

    text = (ROOT / "README.md").read_text()
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    config = config_from_table(tomllib.loads(block.group(1))["tool"]["tfdoctor"])
    assert config.thresholds.tiny_batch_size == 2 and config.ignore == ("TFD106",)
