"""Tests of the `max-pods` command's output and exit codes."""
from __future__ import annotations

import json

import pytest

from eks_net_lint.maxpods_cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_figure_cap_recommendation_and_formula(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "m5.large", "--custom-networking")
    assert code == 0
    assert "eni-limited max pods: 20" in out
    assert "formula: (3 - 1) ENIs x (10 IPv4 per ENI - 1) + 2 = 20" in out
    assert "eks guidance cap: 110" in out
    assert "recommended: min(20, 110) = 20" in out


@pytest.mark.parametrize(
    ("argv", "eni_limited", "recommended"),
    [
        (["m5.large"], 29, 29),
        (["m5.large", "--prefix-delegation"], 434, 110),
        (["m5.8xlarge", "--cni-version", "1.11.2"], 234, 234),
        (["m5.8xlarge", "--cni-version", "1.11.2", "--prefix-delegation"], 3714, 250),
        (["m4.xlarge"], 58, 58),
        (["c6in.32xlarge"], 394, 250),
        (["m5.24xlarge", "--prefix-delegation", "--max-enis", "4"], 3138, 250),
        (["m5.metal", "--prefix-delegation", "--script-compatible"], 737, 250),
    ],
)
def test_json_output_figures(capsys: pytest.CaptureFixture[str], argv: list[str], eni_limited: int, recommended: int) -> None:
    code, out, _ = run(capsys, *argv, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["eni_limited"], data["recommended"]) == (eni_limited, recommended)


def test_fallback_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "m4.xlarge", "--prefix-delegation")
    assert code == 0
    assert "note: prefix delegation needs a nitro instance; m4.xlarge is xen" in out


def test_unknown_type_suggests_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "m5.larg")
    assert (code, out) == (2, "")
    assert "no instance data for m5.larg; did you mean m5.large" in err


def test_bad_cni_version_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "m5.large", "--cni-version", "latest")
    assert code == 2 and "not a version" in err


def test_file_only_type_in_custom_networking_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "hpc7a.12xlarge", "--custom-networking")
    assert code == 2 and "only the eni-max-pods.txt figure" in err
    code, out, _ = run(capsys, "hpc7a.12xlarge")
    assert code == 0 and "eks guidance cap: unknown" in out


def test_wired_into_the_eks_net_lint_command(capsys: pytest.CaptureFixture[str]) -> None:
    from eks_net_lint.cli import main as cli_main

    assert cli_main(["max-pods", "m5.large", "--prefix-delegation", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["recommended"] == 110
    assert cli_main(["max-pods"]) == 2
    assert "TYPE" in capsys.readouterr().err
