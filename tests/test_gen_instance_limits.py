"""Tests of the instance-limits generator: its pure functions, and that the shipped file is current."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from eks_net_lint.tools import gen_instance_limits as gen

CSV_HEADER = (
    "instance_type,enis,ipv4_per_eni,vcpus,hypervisor,bare_metal,trunking_compatible,source,"
    "enis_default_card,network_cards,branch_interfaces\n"
)
LIMITS = "limits.go@58c8559e6486"
VCPUS = "vcpus:karpenter-instance-types.md@692ccdd0629e"
CSV = CSV_HEADER + (
    f"m5.large,3,10,2,nitro,false,true,{LIMITS};{VCPUS},3,1,9\n"
    f"c6in.32xlarge,16,50,128,nitro,false,true,{LIMITS};{VCPUS},8,2,106\n"
    f"mac1.metal,8,30,,,true,true,{LIMITS},8,1,6\n"
)
TXT = "# header\n#\n# comment\n\nc6in.32xlarge 394\nhpc7a.12xlarge 100\nm5.large 29\n"


def sources_md(csv_text: str, txt_text: str) -> str:
    return (
        "| file | what it is | sha256 |\n|---|---|---|\n"
        f"| `amazon-eks-ami/eni-max-pods.txt` | copy | {gen.sha256(txt_text.encode())} |\n"
        f"| `instance-types.csv` | table | {gen.sha256(csv_text.encode())} |\n"
    )


def test_parse_eni_max_pods_skips_comments_and_blank_lines() -> None:
    assert gen.parse_eni_max_pods(TXT) == {"c6in.32xlarge": 394, "hpc7a.12xlarge": 100, "m5.large": 29}


@pytest.mark.parametrize("text", ["m5.large\n", "m5.large 29 30\n", "m5.large x\n", "m5.large 1\nm5.large 2\n"])
def test_parse_eni_max_pods_rejects_malformed_lines(text: str) -> None:
    with pytest.raises(gen.InputError):
        gen.parse_eni_max_pods(text)


def test_parse_instance_csv_types_every_column() -> None:
    rows = gen.parse_instance_csv(CSV)
    assert rows["m5.large"] == {
        "enis": 3, "ipv4_per_eni": 10, "vcpus": 2, "enis_default_card": 3, "network_cards": 1,
        "branch_interfaces": 9, "bare_metal": False, "trunking_compatible": True, "hypervisor": "nitro",
        "source": f"{LIMITS};{VCPUS}",
    }
    assert rows["mac1.metal"]["vcpus"] is None
    assert rows["mac1.metal"]["hypervisor"] is None
    assert rows["mac1.metal"]["bare_metal"] is True


@pytest.mark.parametrize(
    "csv_text",
    [
        "instance_type,enis\nm5.large,3\n",
        CSV_HEADER + f"m5.large,three,10,2,nitro,false,true,{LIMITS},3,1,9\n",
        CSV_HEADER + f"m5.large,3,10,2,nitro,no,true,{LIMITS},3,1,9\n",
        CSV_HEADER + f"m5.large,3,10,2,nitro,false,true,{LIMITS},3,1,9\n" * 2,
    ],
)
def test_parse_instance_csv_rejects_bad_rows(csv_text: str) -> None:
    with pytest.raises(gen.InputError):
        gen.parse_instance_csv(csv_text)


def test_merge_covers_both_files_and_leaves_unknowns_null() -> None:
    merged = gen.merge(gen.parse_instance_csv(CSV), gen.parse_eni_max_pods(TXT))
    assert list(merged) == ["c6in.32xlarge", "hpc7a.12xlarge", "m5.large", "mac1.metal"]
    assert merged["hpc7a.12xlarge"] == {f: None for f in gen.FIELDS} | {"eni_max_pods": 100}
    assert merged["mac1.metal"]["eni_max_pods"] is None
    assert merged["c6in.32xlarge"]["enis"] == 16 and merged["c6in.32xlarge"]["enis_default_card"] == 8
    assert "source" not in merged["m5.large"]


def test_inconsistencies_use_the_default_card() -> None:
    merged = gen.merge(gen.parse_instance_csv(CSV), gen.parse_eni_max_pods(TXT))
    assert gen.inconsistencies(merged) == []
    merged["m5.large"]["eni_max_pods"] = 30
    assert gen.inconsistencies(merged) == ["m5.large: 3 * (10 - 1) + 2 = 29, eni-max-pods.txt says 30"]


def test_source_origins_counts_parts_and_refuses_unknown_commits() -> None:
    assert gen.source_origins([f"{LIMITS};{VCPUS}", LIMITS]) == {LIMITS: 2, VCPUS: 1}
    with pytest.raises(gen.InputError, match="PROVENANCE"):
        gen.source_origins(["limits.go@000000000000"])
    with pytest.raises(gen.InputError):
        gen.source_origins(["limits.go"])


def test_build_records_inputs_and_refuses_hash_mismatch() -> None:
    doc = gen.build(CSV.encode(), TXT.encode(), sources_md(CSV, TXT))
    inputs = doc["_source"]["inputs"]
    assert inputs[gen.CSV_PATH]["sha256"] == gen.sha256(CSV.encode())
    assert inputs[gen.CSV_PATH]["origins"][LIMITS] == {"rows": 3, "origin": gen.PROVENANCE["58c8559e6486"]}
    assert inputs[gen.ENI_MAX_PODS_PATH]["types"] == 3
    assert set(doc["types"]) == {"c6in.32xlarge", "hpc7a.12xlarge", "m5.large", "mac1.metal"}
    with pytest.raises(gen.InputError, match="sha256"):
        gen.build(CSV.encode(), (TXT + "z1d.large 29\n").encode(), sources_md(CSV, TXT))


def test_render_is_canonical() -> None:
    text = gen.render({"b": 1, "a": {"d": None, "c": True}})
    assert text == '{\n  "a": {\n    "c": true,\n    "d": null\n  },\n  "b": 1\n}\n'


def test_main_check_reports_stale_output(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "upstream" / "amazon-eks-ami").mkdir(parents=True)
    (shared / gen.CSV_PATH).write_text(CSV)
    (shared / gen.ENI_MAX_PODS_PATH).write_text(TXT)
    (shared / gen.SOURCES_PATH).write_text(sources_md(CSV, TXT))
    out = tmp_path / "limits.json"
    assert gen.main(["--shared", str(shared), "--output", str(out), "--check"]) == 1
    assert gen.main(["--shared", str(shared), "--output", str(out)]) == 0
    assert gen.main(["--shared", str(shared), "--output", str(out), "--check"]) == 0
    assert json.loads(out.read_text())["types"]["m5.large"]["eni_max_pods"] == 29
    assert gen.main(["--shared", str(tmp_path / "missing"), "--output", str(out)]) == 2


def shipped_text() -> str:
    return resources.files("eks_net_lint.data").joinpath("instance_limits.json").read_text(encoding="utf-8")


def test_shipped_file_is_current(upstream: Path) -> None:
    assert gen.generate(upstream.parent) == shipped_text(), (
        "linter/data/instance_limits.json is stale: run python -m eks_net_lint.tools.gen_instance_limits"
    )


def test_shipped_file_is_canonical() -> None:
    text = shipped_text()
    assert gen.render(json.loads(text)) == text
