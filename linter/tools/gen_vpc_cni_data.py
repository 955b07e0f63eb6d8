"""Generate linter/data/vpc_cni_managed.json and the add-on schemas from the shared VPC CNI files.

Run as ``python -m eks_net_lint.tools.gen_vpc_cni_data [--shared DIR] [--check]``. Inputs are the
aws-node manifests, the aws-vpc-cni chart values and Chart.yaml, the chart's regions.json and the
EKS add-on configuration schemas under ``upstream/vpc-cni/`` (provenance and sha256 in its
``SOURCES.md``). Output: the values each release ships (per version), the chart defaults, which
fields EKS manages (reference/vpc-cni.md § 4.1) with their shipped values, where each
``configurationValues`` key lands (§ 4.3, § 5), and one ``vpc_cni_addon_schema_<version>.json``
per add-on schema.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

BASE = "upstream/vpc-cni"
SOURCES_PATH = f"{BASE}/SOURCES.md"
GENERATOR = "python -m eks_net_lint.tools.gen_vpc_cni_data"
MANAGED_FILE = "vpc_cni_managed.json"
DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEFAULT_OUTPUT_DIR = Path(__file__).resolve().parents[1] / "data"

AWS_NODE, INIT, AGENT = "aws-node", "aws-vpc-cni-init", "aws-eks-nodeagent"
POD = "spec.template.spec"

# reference/vpc-cni.md § 4.1: fields EKS is known to own on aws-node (item 1, the published
# `manager: eks` managedFields [ug-fm-2021], agreeing with item 2 [bp]) ...
CERTAIN: Mapping[str, str] = {
    f"{POD}.containers[{AWS_NODE}].image": "section 4.1 item 1 [ug-fm-2021]; item 2 [bp] image",
    f"{POD}.initContainers[{INIT}].image": "section 4.1 item 1 [ug-fm-2021]",
    f"{POD}.serviceAccountName": "section 4.1 item 1 [ug-fm-2021]; item 2 [bp] service account",
}
# ... and the conservative union that § 4.1 (b) treats as possibly managed (inference there).
POSSIBLE: Mapping[str, str] = {
    "metadata.labels": "section 4.1 (b) labels",
    "spec.selector.matchLabels": "section 4.1 (b) selector",
    "spec.template.metadata.labels": "section 4.1 (b) labels",
    "spec.updateStrategy": "section 4.1 (b) updateStrategy",
    f"{POD}.affinity": "section 4.1 (b) affinity",
    f"{POD}.hostNetwork": "section 4.1 (b) hostNetwork",
    f"{POD}.priorityClassName": "section 4.1 (b) priorityClassName",
    f"{POD}.terminationGracePeriodSeconds": "section 4.1 (b) terminationGracePeriodSeconds",
    f"{POD}.tolerations": "section 4.1 (b) tolerations",
    f"{POD}.volumes": "section 4.1 (b) volumes",
    f"{POD}.containers[{AWS_NODE}].imagePullPolicy": "section 4.1 (b) imagePullPolicy",
    f"{POD}.containers[{AWS_NODE}].livenessProbe": "section 4.1 (b) probes; item 2 [bp]",
    f"{POD}.containers[{AWS_NODE}].readinessProbe": "section 4.1 (b) probes; item 2 [bp]",
    f"{POD}.containers[{AWS_NODE}].ports": "section 4.1 (b) ports",
    f"{POD}.containers[{AWS_NODE}].resources.requests.cpu": "section 4.1 (b); item 3 issue #2150",
    f"{POD}.containers[{AWS_NODE}].securityContext": "section 4.1 (b) securityContext",
    f"{POD}.containers[{AWS_NODE}].volumeMounts": "section 4.1 (b) volumeMounts; item 2 [bp]",
    f"{POD}.initContainers[{INIT}].imagePullPolicy": "section 4.1 (b); item 3 zalando PR #10377",
    f"{POD}.initContainers[{INIT}].resources.requests.cpu": "section 4.1 (b) resources.requests.cpu",
    f"{POD}.initContainers[{INIT}].securityContext": "section 4.1 (b) securityContext",
    f"{POD}.initContainers[{INIT}].volumeMounts": "section 4.1 (b) volumeMounts",
    f"{POD}.containers[{AGENT}].image": "section 4.1 (b) image of all three containers",
    f"{POD}.containers[{AGENT}].imagePullPolicy": "section 4.1 (b); item 3 zalando PR #10377",
    f"{POD}.containers[{AGENT}].args": "section 4.1 (b) the node-agent args",
    f"{POD}.containers[{AGENT}].ports": "section 4.1 (b) ports",
    f"{POD}.containers[{AGENT}].resources.requests.cpu": "section 4.1 (b) resources.requests.cpu",
    f"{POD}.containers[{AGENT}].securityContext": "section 4.1 (b) securityContext",
    f"{POD}.containers[{AGENT}].volumeMounts": "section 4.1 (b) volumeMounts",
}
# § 4.1 item 2 [bp]: these env vars are "not managed and will not be reconciled".
ENV_UNMANAGED = ("MINIMUM_IP_TARGET", "WARM_ENI_TARGET", "WARM_IP_TARGET")

# Where a configurationValues key lands in aws-node (reference/vpc-cni.md § 4.3: the add-on schema
# mirrors these chart keys; § 5 Helm table for the mapping). `*` is the env name.
TARGETS: Mapping[str, str] = {
    "env.*": f"{POD}.containers[{AWS_NODE}].env[*]",
    "init.env.*": f"{POD}.initContainers[{INIT}].env[*]",
    "livenessProbeTimeoutSeconds": f"{POD}.containers[{AWS_NODE}].livenessProbe.timeoutSeconds",
    "readinessProbeTimeoutSeconds": f"{POD}.containers[{AWS_NODE}].readinessProbe.timeoutSeconds",
    "resources": f"{POD}.containers[{AWS_NODE}].resources",
    "tolerations": f"{POD}.tolerations",
    "affinity": f"{POD}.affinity",
    "enableNetworkPolicy": f"{POD}.containers[{AGENT}].args[--enable-network-policy]",
    "nodeAgent.enableCloudWatchLogs": f"{POD}.containers[{AGENT}].args[--enable-cloudwatch-logs]",
    "nodeAgent.enablePolicyEventLogs": f"{POD}.containers[{AGENT}].args[--enable-policy-event-logs]",
    "nodeAgent.healthProbeBindAddr": f"{POD}.containers[{AGENT}].args[--health-probe-bind-addr]",
    "nodeAgent.metricsBindAddr": f"{POD}.containers[{AGENT}].args[--metrics-bind-addr]",
}

_STEP = re.compile(r"^(?P<key>[A-Za-z0-9_]+)(?:\[(?P<item>[^\]]+)\])?$")
_VERSIONED = re.compile(r"_v?(\d+\.\d+\.\d+(?:-eksbuild\.\d+)?)(?:_configuration-schema)?\.(?:ya?ml|json)$")
_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*(?P<upstream>[^|]+?)\s*\|(?:[^|]*\|)*?\s*(?P<sha>[0-9a-f]{64})\s*\|")


class InputError(ValueError):
    """An input file does not have the shape this generator reads."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded_sources(sources_md: str) -> dict[str, tuple[str, str]]:
    """SOURCES.md file rows: path under upstream/vpc-cni → (upstream origin, sha256)."""
    rows = {}
    for line in sources_md.splitlines():
        match = _ROW.match(line.strip())
        if match:
            rows[match["file"]] = (match["upstream"].replace("`", "").strip(), match["sha"])
    return rows


def resolve(document: Any, path: str) -> Any:
    """The value at a dotted path whose `key[name]` steps pick list items by `name`; None if absent."""
    node = document
    for step in path.split("."):
        match = _STEP.match(step)
        if match is None or not isinstance(node, Mapping):
            return None
        node = node.get(match["key"])
        item = match["item"]
        if item is not None:
            if not isinstance(node, list):
                return None
            node = next((x for x in node if isinstance(x, Mapping) and x.get("name") == item), None)
    return node


def _containers(daemonset: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    pod = resolve(daemonset, POD) or {}
    found: dict[str, Mapping[str, Any]] = {}
    for key in ("initContainers", "containers"):
        for container in pod.get(key) or ():
            if isinstance(container, Mapping) and isinstance(container.get("name"), str):
                found[container["name"]] = container
    return found


def _tag(image: Any) -> str:
    if not isinstance(image, str) or ":" not in image.rsplit("/", 1)[-1]:
        raise InputError(f"image without a tag: {image!r}")
    return image.rsplit(":", 1)[1]


def manifest_entry(daemonset: Mapping[str, Any]) -> dict[str, Any]:
    """What one release's aws-node DaemonSet ships: env, downward-API env, args, images, managed fields."""
    env: dict[str, dict[str, str]] = {}
    value_from: dict[str, dict[str, str]] = {}
    images: dict[str, str] = {}
    for name, container in _containers(daemonset).items():
        images[name] = container["image"]
        for item in container.get("env") or ():
            if "value" in item:
                env.setdefault(name, {})[item["name"]] = str(item["value"])
            else:
                field = resolve(item, "valueFrom.fieldRef.fieldPath")
                value_from.setdefault(name, {})[item["name"]] = str(field)
    fields = {path: resolve(daemonset, path) for path in (*CERTAIN, *POSSIBLE)}
    return {
        "env": env,
        "value_from": value_from,
        "images": images,
        "fields": {path: value for path, value in fields.items() if value is not None},
    }


def read_manifest(text: str, name: str) -> dict[str, Any]:
    daemonsets = [
        d for d in yaml.safe_load_all(text)
        if isinstance(d, dict) and d.get("kind") == "DaemonSet" and resolve(d, "metadata.name") == AWS_NODE
    ]
    if len(daemonsets) != 1:
        raise InputError(f"{name}: expected one aws-node DaemonSet, found {len(daemonsets)}")
    return manifest_entry(daemonsets[0])


def helm_quote(value: Any) -> str | None:
    """A chart env value as the template's `quote` renders it (None: `null` removes the key)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def helm_entry(values: Mapping[str, Any]) -> dict[str, Any]:
    """The chart defaults the rules merge user values over (reference/vpc-cni.md § 5)."""
    def env_map(mapping: Any) -> dict[str, str]:
        if not isinstance(mapping, Mapping):
            return {}
        quoted = {str(k): helm_quote(v) for k, v in mapping.items()}
        return {k: v for k, v in quoted.items() if v is not None}

    def image(block: Any) -> dict[str, Any]:
        if not isinstance(block, Mapping):
            return {}
        return {k: v for k, v in block.items() if k in ("account", "domain", "endpoint", "region", "tag") and v is not None}

    node_agent: Mapping[str, Any] = values["nodeAgent"] if isinstance(values.get("nodeAgent"), Mapping) else {}
    init: Mapping[str, Any] = values["init"] if isinstance(values.get("init"), Mapping) else {}
    entry: dict[str, Any] = {
        "keys": sorted(str(k) for k in values),
        "env": env_map(values.get("env")),
        "init_env": env_map(init.get("env")),
        "images": {AWS_NODE: image(values.get("image")), INIT: image(init.get("image"))},
        "probes": {
            p: {"command": resolve(values, f"{p}.exec.command"), "timeoutSeconds": values.get(f"{p}TimeoutSeconds")}
            for p in ("livenessProbe", "readinessProbe")
        },
        "resources": values.get("resources"),
        "serviceAccount": {k: v for k, v in (values.get("serviceAccount") or {}).items() if k in ("create", "name")},
    }
    if node_agent:
        entry["images"][AGENT] = image(node_agent.get("image"))
        entry["node_agent"] = {
            k: v for k, v in node_agent.items() if not isinstance(v, (Mapping, list)) and v is not None
        }
    if "enableNetworkPolicy" in values:
        entry["enableNetworkPolicy"] = helm_quote(values["enableNetworkPolicy"])
    return entry


def schema_entry(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A summary of one add-on configuration schema: keys per block and each env key's format."""
    definitions = schema.get("definitions") or {}
    root = definitions.get("VpcCni") or {}

    def props(name: str) -> dict[str, Any]:
        found: dict[str, Any] = (definitions.get(name) or {}).get("properties") or {}
        return found

    def formats(name: str) -> dict[str, str]:
        return {k: str(v.get("format", v.get("type"))) for k, v in props(name).items()}

    return {
        "top_level": sorted(root.get("properties") or {}),
        "env": formats("Env"),
        "init_env": formats("InitEnv"),
        "node_agent": formats("NodeAgent"),
    }


def _version_of(path: str) -> str:
    match = _VERSIONED.search(path)
    if match is None:
        raise InputError(f"{path}: no version in the file name")
    version = match[1]
    return version if version.startswith("v") else "v" + version


def build(files: Mapping[str, bytes], sources_md: str) -> dict[str, str]:
    """Every output file's text, from the inputs keyed by their path under upstream/vpc-cni/."""
    recorded = recorded_sources(sources_md)
    inputs: dict[str, dict[str, str]] = {}
    for path, data in sorted(files.items()):
        origin, sha = recorded.get(path, ("", ""))
        if sha != sha256(data):
            raise InputError(f"{BASE}/{path}: sha256 {sha256(data)} differs from SOURCES.md ({sha or 'no row'})")
        inputs[f"{BASE}/{path}"] = {"sha256": sha, "origin": origin}

    manifests: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("manifests/")):
        entry = read_manifest(files[path].decode("utf-8"), path)
        version = _tag(entry["images"][AWS_NODE])
        registry = entry["images"][AWS_NODE].split("/", 1)[0]
        if version in manifests:
            base = manifests[version]
            comparable = ("env", "value_from")
            if any(base[k] != entry[k] for k in comparable):
                raise InputError(f"{path}: differs from the other {version} manifest beyond its images")
            base["files"].append(path)
            base["registries"].append(registry)
            continue
        entry.update(files=[path], registries=[registry])
        manifests[version] = entry
    for entry in manifests.values():
        entry["files"].sort()
        entry["registries"].sort()

    helm: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("helm/") and "_values_" in p):
        values = yaml.safe_load(files[path])
        if not isinstance(values, dict):
            raise InputError(f"{path}: not a mapping")
        entry = helm_entry(values)
        entry["file"] = path
        helm[str(entry["images"][AWS_NODE].get("tag"))] = entry
    chart = yaml.safe_load(files["helm/aws-vpc-cni_Chart_v1.23.1.yaml"])
    regions = json.loads(files["helm/regions.json"])

    schemas: dict[str, dict[str, Any]] = {}
    outputs: dict[str, str] = {}
    for path in sorted(p for p in files if p.startswith("addon-schema/")):
        version = _version_of(path)
        schema = json.loads(files[path])
        summary = schema_entry(schema)
        data_file = f"vpc_cni_addon_schema_{version}.json"
        summary["data_file"] = data_file
        schemas[version] = summary
        outputs[data_file] = render({
            "_source": {"generator": GENERATOR, "input": f"{BASE}/{path}", "sha256": sha256(files[path]),
                        "origin": inputs[f"{BASE}/{path}"]["origin"], "addon_version": version},
            "schema": schema,
        })

    document = {
        "_source": {"generator": GENERATOR, "provenance": SOURCES_PATH, "inputs": inputs,
                    "facts": "managed fields and configurationValues targets: reference/vpc-cni.md sections 4.1, 4.3, 5"},
        "manifests": manifests,
        "helm": helm,
        "helm_chart": {k: chart.get(k) for k in ("apiVersion", "appVersion", "name", "version")},
        "helm_regions": [
            {"account": r["ecrAccount"], "domain": r["ecrDomain"], "region": r["ecrRegion"]} for r in regions
        ],
        "addon_schemas": schemas,
        "managed": {"certain": dict(CERTAIN), "possible": dict(POSSIBLE), "env_unmanaged": list(ENV_UNMANAGED)},
        "configuration_values_targets": dict(TARGETS),
    }
    outputs[MANAGED_FILE] = render(document)
    return outputs


def render(document: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, indent 2, trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def read_inputs(shared: Path) -> dict[str, bytes]:
    """Every input file under shared/upstream/vpc-cni that the generator reads, by relative path."""
    root = shared / BASE
    wanted = [*sorted((root / "manifests").glob("*.yaml")), *sorted((root / "helm").glob("*.yaml")),
              root / "helm" / "regions.json", *sorted((root / "addon-schema").glob("*.json"))]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in wanted}


def generate(shared: Path) -> dict[str, str]:
    """Read the inputs under `shared` and return every output file's text by file name."""
    return build(read_inputs(shared), (shared / SOURCES_PATH).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_vpc_cni_data", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the team's shared folder")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--check", action="store_true", help="exit 1 if an output is not current")
    args = parser.parse_args(argv)
    try:
        outputs = generate(args.shared)
    except (OSError, InputError, yaml.YAMLError, json.JSONDecodeError) as exc:
        print(f"gen_vpc_cni_data: {exc}", file=sys.stderr)
        return 2
    stale = []
    for name, text in sorted(outputs.items()):
        target = args.output_dir / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(target)
        if not args.check:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    if args.check and stale:
        print(f"stale: {', '.join(map(str, stale))}: run {GENERATOR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
