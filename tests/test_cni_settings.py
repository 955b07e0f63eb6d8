"""Tests for eks_net_lint.cni_settings: Go-exact parsers, judgements, and the catalogue vs the reference."""
from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from eks_net_lint.cni_settings import (
    AWS_NODE,
    CLAMP,
    DEFAULT,
    EXIT,
    INIT,
    NODE_AGENT,
    PARTIAL,
    Context,
    catalogue,
    check_field_ref,
    go_atoi,
    go_parse_bool,
    go_parse_int_base0,
    judge,
    parse_ipv4_cidr,
    reads_true,
)
from eks_net_lint.cni_version import CniVersion, chart_release, load_data, shipped_release

from conftest import SHARED

V = CniVersion


def setting(name: str, container: str = AWS_NODE) -> Any:
    found = catalogue().get(container, name)
    assert found is not None, name
    return found


# --- Go parsers (reference/vpc-cni.md § 1.1 [strconv]) -------------------------------------------


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_parse_bool_true(text: str) -> None:
    assert go_parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_false(text: str) -> None:
    assert go_parse_bool(text) is False


@pytest.mark.parametrize("text", ["yes", "no", "on", "off", "enabled", "TrUe", " true", "true ", "", "2", "tRUE"])
def test_parse_bool_errors(text: str) -> None:
    assert go_parse_bool(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("10", 10), ("+5", 5), ("-1", -1), ("007", 7), (str(2**63 - 1), 2**63 - 1)],
)
def test_atoi_accepts(text: str, value: int) -> None:
    assert go_atoi(text) == value


@pytest.mark.parametrize("text", ["", " 5", "5 ", "0x10", "1e3", "1_000", "ten", "٣", "+", str(2**63), "5.0"])
def test_atoi_rejects(text: str) -> None:
    assert go_atoi(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("0x80", 128), ("128", 128), ("0200", 128), ("0o200", 128), ("0b10000000", 128), ("0", 0), ("-0x1", -1),
     ("0x_80", 128), ("1_28", 128)],
)
def test_parse_int_base0(text: str, value: int) -> None:
    assert go_parse_int_base0(text) == value


@pytest.mark.parametrize("text", ["", "0x", "08", "0b2", "1__0", "_1", "1_", "0x80 ", "abc"])
def test_parse_int_base0_rejects(text: str) -> None:
    assert go_parse_int_base0(text) is None


def test_parse_ipv4_cidr() -> None:
    assert str(parse_ipv4_cidr("10.0.0.0/8")) == "10.0.0.0/8"
    assert str(parse_ipv4_cidr("10.1.2.3/8")) == "10.0.0.0/8"  # Go ParseCIDR allows host bits
    for bad in ("10.0.0.0", "10.0.0.0/33", "fd00::/8", "10.0.0/8", "10.0.0.0/255.0.0.0", "300.0.0.0/8", "010.0.0.0/8"):
        assert parse_ipv4_cidr(bad) is None, bad


# --- judgements -------------------------------------------------------------------------------


def test_judge_bools() -> None:
    pd = setting("ENABLE_PREFIX_DELEGATION")
    assert judge(pd, "true") == judge(pd, "1")
    assert judge(pd, "true").ok and judge(pd, "true").value is True
    wrong = judge(pd, "yes")
    assert wrong.outcome == DEFAULT and wrong.value is False
    assert wrong.problem == '"yes" is not accepted by Go strconv.ParseBool'
    assert wrong.effect == "ipamd logs a parse error and uses the default false"
    # B2 reads "" as unset, silently (§ 1.1)
    snat = judge(setting("AWS_VPC_K8S_CNI_EXTERNALSNAT"), "")
    assert snat.outcome == DEFAULT and snat.effect == "ipamd silently uses the default false"
    assert judge(setting("ENABLE_SUBNET_DISCOVERY"), "enabled").value is True  # default true


def test_judge_init_exact_true_before_1_12_1() -> None:
    demux = setting("DISABLE_TCP_EARLY_DEMUX", INIT)
    old = Context(version=V(1, 11, 5))
    assert judge(demux, "true", old).value is True
    stale = judge(demux, "True", old)
    assert stale.outcome == DEFAULT and stale.value is False and "exact string" in stale.problem
    assert judge(demux, "True", Context(version=V(1, 12, 1))).value is True
    assert reads_true(demux, "1", V(1, 11, 0)) is False
    assert reads_true(demux, "1", V(1, 13, 0)) is True
    assert reads_true(demux, "1", None) is None
    assert reads_true(demux, "false", None) is False
    pd = setting("ENABLE_PREFIX_DELEGATION")
    assert reads_true(pd, "True", V(1, 12, 6)) is True  # ipamd uses ParseBool
    assert reads_true(pd, "True", V(1, 12, 6), entrypoint=True) is False  # the old entrypoint did not
    assert reads_true(pd, "True", V(1, 13, 0), entrypoint=True) is True


def test_judge_ints() -> None:
    warm_ip = judge(setting("WARM_IP_TARGET"), "ten")
    assert warm_ip.outcome == DEFAULT and warm_ip.value == 0
    assert warm_ip.effect == "ipamd silently uses the default 0"
    assert judge(setting("WARM_ENI_TARGET"), "-1").value == 1
    assert judge(setting("WARM_ENI_TARGET"), "0").ok
    max_eni = judge(setting("MAX_ENI"), "0")
    assert max_eni.outcome == DEFAULT and max_eni.value is None and max_eni.effect == "ipamd silently ignores it"
    cooldown = judge(setting("IP_COOLDOWN_PERIOD"), "")
    assert cooldown.outcome == EXIT and cooldown.effect == "aws-node exits"
    assert judge(setting("IP_COOLDOWN_PERIOD"), "0").ok
    assert judge(setting("HTTP_TIMEOUT"), "5").value == 10
    connmark = setting("AWS_VPC_K8S_CNI_CONNMARK")
    assert judge(connmark, "0x80").value == 128 and judge(connmark, "0x0").value == 128
    assert judge(connmark, str(2**32)).outcome == DEFAULT


def test_judge_mtu_by_version_and_family() -> None:
    mtu = setting("AWS_VPC_ENI_MTU")
    assert judge(mtu, "9001").ok and judge(mtu, "576").ok
    assert judge(mtu, "576", Context(ipv6=True)).outcome == EXIT
    assert judge(mtu, "70000", Context(version=V(1, 16, 4))).outcome == EXIT
    old = judge(mtu, "70000", Context(version=V(1, 16, 3)))
    assert old.outcome == CLAMP and old.value == 9001
    assert judge(mtu, "100", Context(version=V(1, 12, 6))).value == 576
    assert judge(mtu, "", Context(version=V(1, 12, 6))).value == 9001


def test_judge_enums() -> None:
    level = setting("AWS_VPC_K8S_CNI_LOGLEVEL")
    assert judge(level, "info").ok and judge(level, "info").value == "INFO"
    assert judge(level, "verbose").outcome == DEFAULT
    snat = setting("AWS_VPC_K8S_CNI_RANDOMIZESNAT")
    assert judge(snat, "").ok and judge(snat, "hashrandom").ok
    assert judge(snat, "PRNG").effect == "ipamd logs an error and uses prng"
    sg = setting("POD_SECURITY_GROUP_ENFORCING_MODE")
    assert judge(sg, "Standard", Context(pod_eni=True)).outcome == EXIT
    assert judge(sg, "Standard", Context(pod_eni=False)).value == "strict"
    assert judge(sg, "Standard").effect == "aws-node exits when ENABLE_POD_ENI is true (else strict)"
    np = setting("NETWORK_POLICY_ENFORCING_MODE")
    assert judge(np, "STRICT").ok and judge(np, "none").ok
    assert judge(np, "enforce").outcome == EXIT


def test_judge_lists_maps_and_strings() -> None:
    snat = judge(setting("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS"), "10.0.0.0/8, fd00::/8,bogus,")
    assert snat.outcome == PARTIAL and [str(n) for n in snat.value] == ["10.0.0.0/8"]  # type: ignore[attr-defined]
    assert snat.problem == 'has IPv6 entry "fd00::/8", invalid entry "bogus"'
    tags = setting("ADDITIONAL_ENI_TAGS")
    assert judge(tags, "{}").ok and judge(tags, '{"team": "net"}').value == {"team": "net"}
    assert judge(tags, "{team: net}").effect == "ipamd logs a warning and adds no tags at all"
    assert judge(tags, '{"n": 5}').outcome == DEFAULT and judge(tags, '["a"]').outcome == DEFAULT
    reserved = judge(tags, '{"k8s.amazonaws.com/x": "1", "a": "b"}')
    assert reserved.outcome == PARTIAL and reserved.value == {"a": "b"}
    veth = setting("AWS_VPC_K8S_CNI_VETHPREFIX")
    assert judge(veth, "eni").ok and judge(veth, "vlan").outcome == EXIT and judge(veth, "abcde").outcome == EXIT
    assert judge(veth, "abcde", Context(version=V(1, 7, 10))).ok  # validated since v1.8.0
    plugin = setting("AWS_VPC_K8S_PLUGIN_LOG_FILE")
    assert judge(plugin, "stdout").outcome == EXIT and judge(plugin, "STDOUT").ok and judge(plugin, "").ok
    assert judge(setting("AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER"), "maybe").ok  # no longer read
    assert judge(setting("--enable-network-policy", NODE_AGENT), "x").ok  # args are not judged here


def test_field_ref() -> None:
    node = setting("MY_NODE_NAME")
    assert check_field_ref(node, "spec.nodeName") is None
    assert check_field_ref(node, "metadata.name") == "MY_NODE_NAME must come from fieldRef spec.nodeName, not metadata.name"
    assert check_field_ref(node, None) == "MY_NODE_NAME must come from fieldRef spec.nodeName, not a valueFrom without fieldRef"
    assert check_field_ref(setting("WARM_IP_TARGET"), None) is None


def test_suggestions() -> None:
    cat = catalogue()
    assert cat.suggest("ENABLE_PREFIX_DELEGATIONS") == "ENABLE_PREFIX_DELEGATION"
    assert cat.suggest("WARM_IP_TARGETS") == "WARM_IP_TARGET"
    assert cat.suggest("ENABLE_IPV6") == "ENABLE_IPv6"
    assert cat.suggest("DISABLE_TCP_EARLY_DEMUXX", INIT) == "DISABLE_TCP_EARLY_DEMUX"
    assert cat.suggest("SOMETHING_ELSE") is None
    assert cat.containers_of("ENABLE_IPv6") == (AWS_NODE, INIT)
    assert cat.containers_of("DISABLE_TCP_EARLY_DEMUX") == (INIT,)


def test_catalogue_is_immutable_and_typed() -> None:
    cat = catalogue()
    with pytest.raises(TypeError):
        cat.settings[("x", "y")] = setting("WARM_IP_TARGET")  # type: ignore[index]
    assert len(cat.names(AWS_NODE)) == 58 and len(cat.names(INIT)) == 4 and len(cat.names(NODE_AGENT)) == 10
    for spec in cat.settings.values():
        if spec.type == "bool" and spec.container != NODE_AGENT:  # § 1.4 gives manifest defaults only
            assert isinstance(spec.default, bool), spec.name
        if spec.type == "enum":
            assert spec.values, spec.name
        if spec.manifest is not None and spec.container != NODE_AGENT:
            assert judge(spec, spec.manifest).ok, spec.name


def test_every_shipped_value_judges_ok() -> None:
    """Every literal env value of every bundled manifest and chart is read as written by its own release."""
    cat = catalogue()
    for section, pick in (("manifests", shipped_release), ("helm", chart_release)):
        for tag in load_data("vpc_cni_managed.json")[section]:
            release = pick(CniVersion(*map(int, tag[1:].split("."))))
            assert release is not None and release.exact
            for container in (AWS_NODE, INIT):
                for name, value in release.env(container).items():
                    spec = cat.get(container, name)
                    assert spec is not None, (tag, container, name)
                    assert release.version >= spec.since, (tag, name)
                    assert judge(spec, value, Context(version=release.version)).ok, (tag, name, value)


def test_manifest_defaults_match_the_current_release() -> None:
    """The catalogue's `manifest` column is the newest bundled manifest's literal env, exactly."""
    current = shipped_release(V(1, 23, 1))
    assert current is not None and current.exact
    for container in (AWS_NODE, INIT):
        expected = dict(current.env(container))
        declared = {
            name: spec.manifest
            for (cont, name), spec in catalogue().settings.items()
            if cont == container and spec.manifest is not None
        }
        assert declared == expected
    args = dict(a.removeprefix("--").split("=", 1) for a in current.data["fields"][
        "spec.template.spec.containers[aws-eks-nodeagent].args"])
    declared_args = {n.removeprefix("--"): s.manifest for (c, n), s in catalogue().settings.items() if c == NODE_AGENT}
    assert declared_args == args


# --- the catalogue against reference/vpc-cni.md (tables parsed where ../shared exists) ---------------


def _reference() -> str:
    path = SHARED / "reference" / "vpc-cni.md"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared reference is only beside a team checkout")
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start:end]


def _rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _versions(cell: str) -> list[str]:
    return re.findall(r"v?(\d+\.\d+\.\d+)", cell)


def _raw() -> dict[str, Any]:
    text = resources.files("eks_net_lint.data").joinpath("cni_settings.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _manifest_cell(cell: str, code_default: Any) -> str | None:
    """The manifest half of a `code / manifest` default cell: a quoted literal, `same`, or nothing."""
    if " / " not in cell:
        return None
    manifest = cell.split(" / ", 1)[1]
    if manifest.startswith("`fieldRef:"):
        return None  # downward API: checked through field_ref
    quoted = re.match(r'^`"?([^"`]*)"?`', manifest)
    if quoted:
        return quoted[1]
    if manifest.startswith("same"):
        return str(code_default)
    return None


@pytest.mark.parametrize(("heading", "container", "count"),
                         [("### 1.2 `aws-node` container", AWS_NODE, 58), ("### 1.3 `aws-vpc-cni-init`", INIT, 4)])
def test_catalogue_matches_reference_tables(heading: str, container: str, count: int) -> None:
    rows = _rows(_section(_reference(), heading))
    raw = _raw()["containers"][container]
    names = {row[0].strip("`") for row in rows}
    assert len(rows) == count and names == set(raw)
    for row in rows:
        name = row[0].strip("`")
        entry = raw[name]
        default_cell, since_cell, parse_cell = (row[2], row[4], row[5]) if container == AWS_NODE else (row[2], row[3], row[4])
        assert entry["manifest"] == _manifest_cell(default_cell, entry["default"]), name
        field_ref = re.search(r"`fieldRef: ([^`]+)`", default_cell)
        assert entry.get("field_ref") == (field_ref[1] if field_ref else None), name
        claimed = {entry["since"], entry.get("documented_since")}
        assert claimed & set(_versions(since_cell)), (name, since_cell)
        classes = set(re.findall(r"\b(B1|B2|I1|I2|S1|S2)\b", parse_cell))
        if classes:
            assert entry["parse"] in classes, (name, parse_cell)
        if "ipamd exits" in parse_cell or "aws-node exits" in parse_cell or "fatal" in parse_cell:
            assert entry["on_invalid"] == "exit", name
        ignored = re.search(r"no-op since v(\d+\.\d+\.\d+)", since_cell)
        assert entry.get("ignored_since") == (ignored[1] if ignored else None), name


def test_version_gates_match_reference() -> None:
    """§ 6.1: every UPPER_CASE setting named in a gate row carries that row's first version."""
    raw = _raw()["containers"]
    section = _section(_reference(), "### 6.1 Feature")
    checked = 0
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 3 or not _versions(cells[1]):
            continue
        version = _versions(cells[1])[0]
        for name in re.findall(r"`([A-Z][A-Z0-9_v]+)`", cells[0]):
            entries = [raw[c][name] for c in (AWS_NODE, INIT) if name in raw[c]]
            assert entries, name
            keys = ("since", "documented_since", "validated_since", "ignored_since")
            assert any(e.get(k) == version for e in entries for k in keys), (name, version)
            checked += 1
    assert checked >= 28


def test_never_flagged_names_match_reference() -> None:
    section = _section(_reference(), "### 1.5 Names on `aws-node`")
    credentials, helper = section.split("* `cni-metrics-helper`", 1)
    named = set(re.findall(r"`([A-Z][A-Z_]+)`", credentials)) - {"MY_NODE_NAME", "MY_POD_NAME"}
    proxies = set(re.findall(r"`([A-Z_]+)`/`([A-Z_]+)`/`([A-Z_]+)`", credentials)[0])
    assert catalogue().not_settings == named | proxies
    assert catalogue().metrics_helper | {"AWS_REGION"} == set(re.findall(r"`([A-Z][A-Z_]+)`", helper))
    assert catalogue().get(AWS_NODE, "MY_NODE_NAME") is not None and catalogue().get(AWS_NODE, "MY_POD_NAME") is not None
