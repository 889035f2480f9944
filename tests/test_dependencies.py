"""Every runtime dependency is installed from a lock that pins it, and everything it pulls in,
with hashes; nothing the services do not use is a runtime dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) of a pip-compile lock file."""
    text = (ROOT / path).read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)\s*(.*)$", line.strip())
        if match:
            pins[canonicalize_name(match[1])] = (match[2], match[3].count("--hash=sha256:"))
    return pins


def direct(group: list[str]) -> dict[str, str]:
    return {
        canonicalize_name(r.name): str(r.specifier).removeprefix("==")
        for r in map(Requirement, group)
    }


def test_the_runtime_lock_pins_every_runtime_dependency_with_hashes():
    pins = locked(Path("requirements.lock"))
    for name, version in direct(PROJECT["project"]["dependencies"]).items():
        assert pins.get(name, ("", 0))[0] == version, name
    assert all(hashes > 0 for _, hashes in pins.values()), pins
    assert len(pins) > len(PROJECT["project"]["dependencies"])  # transitive ones too


def test_the_dev_lock_pins_the_runtime_and_dev_sets_with_hashes():
    pins = locked(Path("requirements-dev.lock"))
    wanted = PROJECT["project"]["dependencies"] + PROJECT["project"]["optional-dependencies"]["dev"]
    for name, version in direct(wanted).items():
        assert pins.get(name, ("", 0))[0] == version, name
    assert all(hashes > 0 for _, hashes in pins.values())


def test_pyyaml_is_not_a_runtime_dependency():
    assert "pyyaml" not in direct(PROJECT["project"]["dependencies"])
    assert "pyyaml" not in locked(Path("requirements.lock"))


def test_the_build_requirement_is_pinned_and_make_install_requires_hashes():
    assert all("==" in r for r in PROJECT["build-system"]["requires"])
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in (ROOT / "Dockerfile").read_text()
