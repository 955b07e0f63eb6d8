"""Catalogue meta-tests (H25): registry vs RULES.md, docs, executed examples, fixtures, style, generated files."""
from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SHARED
from fixture_harness import FIXTURES

from eks_net_lint.config import Config, build
from eks_net_lint.docs import REQUIRED, SECTIONS, examples, rules_markdown, sections
from eks_net_lint.engine import lint
from eks_net_lint.findings import RuleSpec, Severity
from eks_net_lint.registry import all_rules
from eks_net_lint.tools.gen_config_schema import render as render_config_schema
from eks_net_lint.tools.gen_docs import readme_with_table

RULES = all_rules()
IDS = [r.id for r in RULES]
SEVERITY = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}


def catalogue() -> dict[str, tuple[str, Severity]]:
    path = SHARED / "RULES.md"
    if not path.exists():
        pytest.skip(f"{path} not found: the catalogue lives in ../shared beside a team checkout")
    rows = re.findall(r"^\| ([A-Z]+\d{3}) \| ([a-z0-9-]+) \| ([EWI]) \|", path.read_text("utf-8"), re.M)
    return {rule_id: (name, SEVERITY[sev]) for rule_id, name, sev in rows}


def deviations() -> dict[str, Severity]:
    path = REPO / "docs" / "severity-deviations.md"
    if not path.exists():
        return {}
    rows = re.findall(r"^\| ([A-Z]+\d{3}) \| (error|warning|info) \|", path.read_text("utf-8"), re.M)
    return {rule_id: Severity.parse(sev) for rule_id, sev in rows}


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_registered_rule_matches_the_catalogue(spec: RuleSpec) -> None:
    rows = catalogue()
    assert spec.id in rows, f"{spec.id} is not in RULES.md: IDs are a public interface"
    name, severity = rows[spec.id]
    assert spec.name == name, f"{spec.id} is named {spec.name!r}, RULES.md says {name!r}"
    expected = deviations().get(spec.id, severity)
    assert spec.severity == expected, f"{spec.id} severity {spec.severity}, RULES.md says {severity}; " \
        "list a deliberate change in docs/severity-deviations.md"


def test_every_catalogue_rule_is_registered() -> None:
    missing = sorted(set(catalogue()) - set(IDS))
    assert not missing, f"rules of RULES.md not registered yet: {', '.join(missing)}"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_docs_have_the_sections_in_order(spec: RuleSpec) -> None:
    found = list(sections(spec))
    for name in REQUIRED:
        assert name in found, f"{spec.id} docs lack '## {name}'"
    assert found == [s for s in SECTIONS if s in found], f"{spec.id} sections out of order: {found}"
    assert ("Options" in found) == (spec.options is not None), f"{spec.id}: '## Options' iff the rule has options"
    if spec.options is not None:
        documented = set(re.findall(r"^- `([a-z0-9-]+)`", sections(spec)["Options"], re.M))
        fields = {f.name.replace("_", "-") for f in dataclasses.fields(spec.options)}
        assert documented == fields, f"{spec.id}: options documented {documented}, defined {fields}"
    assert "reference/" in sections(spec)["References"] or "RULES.md" in sections(spec)["References"] \
        or "STYLE.md" in sections(spec)["References"], f"{spec.id}: References must cite a reference fact"


def _example_config(bad: str, folder: Path) -> Config:
    lines = bad.splitlines()
    if lines and lines[0].startswith("# .eks-net-lint.yaml:"):
        text = lines[0].split(":", 1)[1]
        for line in lines[1:]:
            if not line.startswith("#  "):
                break
            text += " " + line[1:].strip()
        data = yaml.safe_load(text)
        for cluster in (data.get("clusters") or {}).values():
            cluster.setdefault("paths", ["*"])
        path = folder / ".eks-net-lint.yaml"
        path.write_text(yaml.safe_dump(data), "utf-8")
        return build(data, path)
    return Config(base=folder)


def _before(bad: str) -> str | None:
    """The file at --diff-base, given as '# before (at --diff-base):' and '#  '-prefixed lines."""
    lines = bad.splitlines()
    if not lines or not lines[0].startswith("# before"):
        return None
    return "\n".join(line[3:] for line in lines[1:] if line.startswith("#  ")) + "\n"


@pytest.mark.parametrize("spec", [r for r in RULES if r.scope == "cluster"], ids=[r.id for r in RULES if r.scope == "cluster"])
def test_docs_example_pair_runs(spec: RuleSpec, tmp_path: Path) -> None:
    pair = examples(spec)
    assert pair is not None, f"{spec.id}: '## Example' needs a bad block, 'Use instead:', and a good block"
    bad, good = pair
    config = _example_config(bad, tmp_path)
    target = tmp_path / ("example.json" if bad.lstrip().startswith("{") else "example.yaml")
    before = _before(bad)
    if before is not None:  # a rule about a change: commit the earlier version, compare with HEAD
        target.write_text(before, "utf-8")
        git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.com", "-c", "user.name=t"]
        for args in (["init", "-q"], ["add", target.name], ["commit", "-q", "-m", "before"]):
            subprocess.run([*git, *args], check=True, capture_output=True)
        config = dataclasses.replace(config, diff_base="HEAD")
    for block, expect_rule in ((bad, True), (good, False)):
        target.write_text(block, "utf-8")
        report = lint([str(target)], config)
        fired = sorted({f.rule.id for f in report.findings})
        assert not report.internal_errors, report.internal_errors
        if expect_rule:
            assert fired == [spec.id], f"{spec.id} bad example fires {fired}: {[f.message for f in report.findings]}"
        else:
            assert fired == [], f"{spec.id} good example fires {fired}: {[f.message for f in report.findings]}"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_every_rule_has_bad_and_good_fixtures(spec: RuleSpec) -> None:
    for kind in ("bad", "good"):
        folder = FIXTURES / spec.id / kind
        assert folder.is_dir() and any(folder.iterdir()), f"add tests/fixtures/{spec.id}/{kind}/<what-it-shows>.yaml"


def _first_word_ok(message: str) -> bool:
    word = message.split(" ", 1)[0]
    return word == word.lower() or any(c.isupper() for c in word[1:]) or "_" in word or word.isupper() or "/" in word


def test_messages_and_hints_follow_the_house_style() -> None:
    report = lint([str(FIXTURES)], Config(base=FIXTURES))
    assert report.findings, "the fixtures produce findings"
    for f in report.findings:
        assert _first_word_ok(f.message), f"{f.rule.id}: message starts with a capital: {f.message!r}"
        assert not f.message.endswith("."), f"{f.rule.id}: message ends with a period: {f.message!r}"
        assert f.fix[:1].isupper() and f.fix.endswith("."), f"{f.rule.id}: fix hint is not a sentence: {f.fix!r}"


def test_docs_rules_md_is_current() -> None:
    path = REPO / "docs" / "rules.md"
    assert path.exists() and path.read_text("utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run python -m eks_net_lint.tools.gen_docs"


def test_readme_rule_table_is_current() -> None:
    text = (REPO / "README.md").read_text("utf-8")
    assert text == readme_with_table(text), "README rule table is stale: run python -m eks_net_lint.tools.gen_docs"


def test_config_schema_is_current() -> None:
    current = (REPO / "schemas" / "config.schema.json").read_text("utf-8")
    assert current == render_config_schema(), "schemas/config.schema.json is stale: run python -m eks_net_lint.tools.gen_config_schema"
