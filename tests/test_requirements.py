"""What gets installed where: `requirements.txt` holds what runs (`make prod` installs it alone),
`requirements-dev.txt` adds the tests and tools (`make install`, for run, test and lint), and the
benchmarks' peers go into a virtualenv of their own, never the project's."""

import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "pytest-django", "ruff", "aiosmtpd", "playwright", "hypothesis"}


def requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def names(lines: list[str]) -> set[str]:
    return {Requirement(line).name.lower() for line in lines if not line.startswith("-")}


def pip_installs(target: str) -> list[str]:
    """The pip commands `make` would run to build `target` from scratch (a dry run: nothing runs)."""
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in plan.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]


def test_what_runs_holds_no_test_tool_and_development_adds_them_all():
    runtime, dev = requirements("requirements.txt"), requirements("requirements-dev.txt")

    assert names(runtime) & TEST_TOOLS == set()
    assert dev[0] == "-r requirements.txt"
    assert names(dev) >= TEST_TOOLS
    assert names(dev[1:]) & names(runtime) == set()  # each package in one file only


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_pinned_and_pillow_to_a_compatible_range(name):
    for line in requirements(name):
        if line.startswith("-r"):
            continue
        requirement = Requirement(line)
        operators = {spec.operator for spec in requirement.specifier}
        if requirement.name.lower() == "pillow":
            assert operators == {">=", "<"}, line  # the pipeline uses only Pillow's documented API
        else:
            assert operators == {"=="}, line


def test_production_installs_only_what_runs_and_development_installs_the_tools_too():
    assert pip_installs(".venv/.installed-runtime") == [".venv/bin/python -m pip install --quiet -r requirements.txt"]
    assert pip_installs(".venv/.installed") == [".venv/bin/python -m pip install --quiet -r requirements-dev.txt"]
    plan = subprocess.run(["make", "-n", "-B", "prod"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "requirements-dev.txt" not in plan


def test_the_benchmarks_install_their_peers_into_their_own_virtualenv():
    installs = pip_installs("bench/.venv/.installed")

    assert installs == ["bench/.venv/bin/python -m pip install --quiet -r requirements.txt -r bench/requirements.txt"]
    assert {"easy-thumbnails", "sorl-thumbnail"} <= names(requirements("bench/requirements.txt"))
    plan = subprocess.run(["make", "-n", "bench"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/python -m pip" not in plan.replace("bench/.venv/bin/python", "")
