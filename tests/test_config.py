"""Config: discovery, validation messages, pyproject, options."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from eks_net_lint.config import ConfigError, build, load_config
from eks_net_lint.findings import Severity


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"fail-on": "sometimes"}, ["fail-on", "sometimes"]),
        ({"selec": ["ENI"]}, ["selec"]),
        ({"select": ["NOPE9"]}, ["unknown rule", "NOPE9"]),
        ({"rules": {"ENI006": {"max-groups": 3}}}, ["max-groups"]),
        ({"rules": {"ENI006": {"max-security-groups": "five"}}}, ["rules.ENI006.max-security-groups", "five"]),
        ({"clusters": {"prod": {"vpc": {"primary-cidr": 10}}}}, ["clusters.prod.vpc.primary-cidr"]),
        ({"severity": {"ENI001": "fatal"}}, ["severity"]),
    ],
)
def test_bad_config_names_the_key(data: dict, words: list[str], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        build(data, tmp_path / ".eks-net-lint.yaml")
    for word in words:
        assert word in str(err.value)


def test_options_severity_and_selectors(tmp_path: Path) -> None:
    config = build({"rules": {"eniconfig-invalid-security-groups": {"max-security-groups": 3}},
                    "severity": {"ENI001": "warning"}, "select": ["ENI"], "ignore": ["ENI002"]}, tmp_path / "c.yaml")
    assert config.options_for("ENI006").max_security_groups == 3
    assert config.severity_of("ENI001", Severity.ERROR) == Severity.WARNING
    assert config.enabled("ENI001") and not config.enabled("ENI002") and not config.enabled("LNT001")


def test_found_upwards_and_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".eks-net-lint.yaml").write_text("ignore: [ENI005]\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert "ENI005" in load_config(["."]).ignore
    assert load_config(["."], use_files=False).ignore == frozenset()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib arrived in Python 3.11")
def test_pyproject_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.eks-net-lint]\nignore = ["ENI005"]\nfail-on = "error"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(["."])
    assert "ENI005" in config.ignore and config.fail_on == Severity.ERROR
