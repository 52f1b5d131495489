"""README documents every configuration key and every `flask heritage` command."""

from pathlib import Path

from heritage.cli import heritage_cli
from heritage.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_config_key_in_readme():
    missing = [key for key in SETTINGS if f"`{key}`" not in README]
    assert not missing, f"README lacks configuration keys: {missing}"


def test_every_cli_command_in_readme():
    missing = [name for name in heritage_cli.commands if f"flask heritage {name}" not in README]
    assert not missing, f"README lacks CLI commands: {missing}"


def test_quick_start_is_two_commands():
    start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in start.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make run", "make test"]
