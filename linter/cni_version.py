"""VPC CNI versions: tag parsing and ordering, ECR registry partitions, and what each release ships."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

# reference/vpc-cni.md § 3.2: tags are `v<major>.<minor>.<patch>` (self-managed), with
# `-eksbuild.<n>` for EKS add-on images; release candidates such as `v1.12.1-rc1` exist as git
# tags. Only major.minor.patch is compared.
_TAG_RE = re.compile(r"^v(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?:-(?:(eksbuild\.\d{1,6})|(rc\.?\d{1,4})))?$")
_BARE_RE = re.compile(r"^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:-eksbuild\.(\d{1,6}))?$")
_DIGEST_RE = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_ECR_HOST_RE = re.compile(r"^(?P<account>\d{12})\.dkr\.(?P<endpoint>[a-z0-9-]+)\.(?P<region>[a-z0-9-]+)\.(?P<domain>[a-z0-9.-]+)$")

TAG_RELEASE = "release"  # vX.Y.Z
TAG_EKSBUILD = "eksbuild"  # vX.Y.Z-eksbuild.N
TAG_PRERELEASE = "prerelease"  # vX.Y.Z-rcN
TAG_OTHER = "other"  # latest, master, anything that is not a version
TAG_NONE = "none"  # no tag: digest-pinned, or bare repository (Kubernetes then pulls `latest`)


@dataclass(frozen=True, slots=True, order=True)
class CniVersion:
    """A VPC CNI (or network policy agent) version: major.minor.patch, compared numerically."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def parse_version(text: object) -> CniVersion | None:
    """`v1.18.3`, `1.18.3`, `v1.18.3-eksbuild.1` or `v1.12.1-rc1` → CniVersion; anything else → None."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if not candidate.startswith("v"):
        candidate = "v" + candidate
    match = _TAG_RE.match(candidate)
    if match is None:
        return None
    return CniVersion(int(match[1]), int(match[2]), int(match[3]))


def tag_kind(tag: str | None) -> str:
    """Classify an image tag as release, eksbuild, prerelease, other (latest, master) or none."""
    if tag is None or tag == "":
        return TAG_NONE
    match = _TAG_RE.match(tag)
    if match is None:
        return TAG_OTHER
    if match[4]:
        return TAG_EKSBUILD
    if match[5]:
        return TAG_PRERELEASE
    return TAG_RELEASE


@dataclass(frozen=True, slots=True)
class AddonVersion:
    """An eksctl/EKS add-on `version`: exact (`v1.19.0-eksbuild.1`) or partial (`1.19.0`, `1.18`)."""

    raw: str
    parts: tuple[int, ...]
    eksbuild: int | None

    def matches(self, version: CniVersion) -> bool:
        """True when an image of `version` is what this add-on version installs (same given parts)."""
        return (version.major, version.minor, version.patch)[: len(self.parts)] == self.parts

    @property
    def version(self) -> CniVersion | None:
        """The full version when all three parts are given."""
        if len(self.parts) == 3:
            return CniVersion(*self.parts)
        return None

    def __str__(self) -> str:
        return self.raw


def parse_addon_version(text: object) -> AddonVersion | None:
    """Parse an add-on version; `""`, `latest` and other non-versions are unknown (None).

    reference/eksctl.md § 2.6: `""` means the EKS default, `latest` the newest; a partial
    version is matched by substring against the available versions, newest wins.
    """
    if not isinstance(text, str):
        return None
    match = _BARE_RE.match(text.strip())
    if match is None:
        return None
    parts = tuple(int(p) for p in match.group(1, 2, 3) if p is not None)
    eksbuild = int(match[4]) if match[4] else None
    return AddonVersion(text.strip(), parts, eksbuild)


@dataclass(frozen=True, slots=True)
class EcrRegistry:
    """The parts of `<account>.dkr.<endpoint>.<region>.<domain>` (reference/vpc-cni.md § 3.2)."""

    account: str
    endpoint: str
    region: str
    domain: str


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A container image reference split into registry, repository, tag and digest."""

    raw: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The last path segment of the repository (`amazon-k8s-cni`)."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def component(self) -> str | None:
        """Which VPC CNI container this image is for, judged by its repository name."""
        return _components().get(self.name)

    @property
    def tag_kind(self) -> str:
        return tag_kind(self.tag)

    @property
    def version(self) -> CniVersion | None:
        """The version from the tag; None for `latest`, digest-only and other non-version tags."""
        return parse_version(self.tag) if self.tag else None

    @property
    def ecr(self) -> EcrRegistry | None:
        """The ECR registry parts when the registry host is an AWS ECR domain."""
        if self.registry is None:
            return None
        match = _ECR_HOST_RE.match(self.registry.lower())
        if match is None or match["domain"] not in _domains():
            return None
        return EcrRegistry(match["account"], match["endpoint"], match["region"], match["domain"])


def parse_image(text: object) -> ImageRef | None:
    """Split `[registry/]repository[:tag][@digest]`; None for non-strings and empty or malformed text."""
    if not isinstance(text, str):
        return None
    ref = text.strip()
    if not ref or any(ch.isspace() for ch in ref):
        return None
    digest: str | None = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST_RE.match(digest):
            return None
    registry: str | None = None
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag: str | None = None
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
        if not tag:
            return None
    if not ref or ref.startswith("/") or ref.endswith("/") or "//" in ref:
        return None
    return ImageRef(text.strip(), registry, ref, tag, digest)


def freeze(value: Any) -> Any:
    """A deep read-only copy of parsed JSON: dicts become mapping proxies, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


@cache
def load_data(name: str) -> Mapping[str, Any]:
    """A bundled data file of eks_net_lint.data, parsed once and frozen."""
    text = resources.files("eks_net_lint.data").joinpath(name).read_text(encoding="utf-8")
    frozen: Mapping[str, Any] = freeze(json.loads(text))
    return frozen


def _registry_data() -> Mapping[str, Any]:
    return load_data("cni_registries.json")


@cache
def _components() -> Mapping[str, str]:
    repos: dict[str, str] = _registry_data()["repositories"]
    return MappingProxyType({name.rsplit("/", 1)[-1]: comp for name, comp in repos.items()})


@cache
def _domains() -> frozenset[str]:
    return frozenset(p["dns_suffix"] for p in _registry_data()["partitions"].values())


@cache
def _partition_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    parts: dict[str, Any] = _registry_data()["partitions"]
    return tuple((name, re.compile(p["region_regex"])) for name, p in sorted(parts.items()))


def region_partition(region: object) -> str | None:
    """The partition (`aws`, `aws-cn`, `aws-us-gov`, …) whose region pattern the name matches."""
    if not isinstance(region, str):
        return None
    found = [name for name, pattern in _partition_patterns() if pattern.match(region)]
    return found[0] if len(found) == 1 else None


def domain_partitions(domain: str) -> frozenset[str]:
    """Partitions whose DNS suffix is `domain` (`amazonaws.com` is both aws and aws-us-gov)."""
    parts: dict[str, Any] = _registry_data()["partitions"]
    return frozenset(name for name, p in parts.items() if p["dns_suffix"] == domain)


def account_partition(account: str) -> str | None:
    """The partition of a known VPC CNI registry account (reference/vpc-cni.md § 3.2), else None."""
    entry = _registry_data()["accounts"].get(account)
    if entry is None:
        return None
    partitions = {region_partition(r) for r in entry["regions"]}
    return partitions.pop() if len(partitions) == 1 else None


def registry_account(region: str) -> str | None:
    """The ECR account that serves the VPC CNI images in `region`, when the reference lists it."""
    for account, entry in sorted(_registry_data()["accounts"].items()):
        if region in entry["regions"]:
            return str(account)
    return None


@dataclass(frozen=True, slots=True)
class RegistryPartition:
    """What an ECR host says about its partition, piece by piece (None where a piece says nothing)."""

    by_region: str | None
    by_domain: frozenset[str]
    by_account: str | None

    def conflicts_with(self, partition: str) -> tuple[str, ...]:
        """The pieces (`domain`, `account`, `region`) that belong to a partition other than `partition`."""
        bad: list[str] = []
        if self.by_domain and partition not in self.by_domain:
            bad.append("domain")
        if self.by_account is not None and self.by_account != partition:
            bad.append("account")
        if self.by_region is not None and self.by_region != partition:
            bad.append("region")
        return tuple(bad)


def registry_partition(image: ImageRef) -> RegistryPartition | None:
    """The partition evidence of an image's ECR registry; None when it is not an ECR registry."""
    ecr = image.ecr
    if ecr is None:
        return None
    return RegistryPartition(region_partition(ecr.region), domain_partitions(ecr.domain), account_partition(ecr.account))


@dataclass(frozen=True, slots=True)
class Release:
    """What one upstream release ships: its aws-node DaemonSet (manifest) or chart values (Helm)."""

    version: CniVersion  # the release whose files these are
    exact: bool  # False when they stand in for a newer version that is not bundled
    data: Mapping[str, Any]

    def env(self, container: str = "aws-node") -> Mapping[str, str]:
        """The literal env the release sets on a container (Helm: `env` or `init_env`)."""
        if "keys" in self.data:  # a chart's values
            found: Mapping[str, str] = self.data["init_env" if container == "aws-vpc-cni-init" else "env"]
            return found if container in ("aws-node", "aws-vpc-cni-init") else MappingProxyType({})
        by_container: Mapping[str, Mapping[str, str]] = self.data["env"]
        return by_container.get(container, MappingProxyType({}))


@cache
def _releases(section: str) -> tuple[tuple[CniVersion, Mapping[str, Any]], ...]:
    entries: Mapping[str, Any] = load_data("vpc_cni_managed.json")[section]
    parsed = [(parse_version(tag), entry) for tag, entry in entries.items()]
    return tuple(sorted(((v, e) for v, e in parsed if v is not None), key=lambda pair: pair[0]))


def _nearest(section: str, version: CniVersion | None) -> Release | None:
    if version is None:
        return None
    below = [(v, e) for v, e in _releases(section) if v <= version]
    if not below:
        return None
    found, entry = below[-1]
    return Release(found, found == version, entry)


def shipped_release(version: CniVersion | None) -> Release | None:
    """The bundled upstream manifest of `version`, else of the newest bundled release below it."""
    return _nearest("manifests", version)


def chart_release(version: CniVersion | None) -> Release | None:
    """The bundled aws-vpc-cni chart values of `version`, else of the newest bundled chart below it."""
    return _nearest("helm", version)


def newest_release() -> Release:
    """The newest bundled upstream manifest (the current baseline)."""
    version, entry = _releases("manifests")[-1]
    return Release(version, True, entry)


@dataclass(frozen=True, slots=True)
class AddonSchema:
    """The configurationValues JSON Schema of one vpc-cni add-on version, with a key summary."""

    version: str
    schema: Mapping[str, Any]
    env: Mapping[str, str]
    init_env: Mapping[str, str]
    node_agent: Mapping[str, str]
    top_level: tuple[str, ...]


@cache
def _addon_versions() -> tuple[str, ...]:
    schemas: Mapping[str, Any] = load_data("vpc_cni_managed.json")["addon_schemas"]
    return tuple(sorted(schemas, key=lambda v: (parse_version(v) or CniVersion(0, 0, 0), v)))


@cache
def addon_schema(version: str) -> AddonSchema | None:
    """The bundled schema of exactly this add-on version (`v1.15.1-eksbuild.1`), else None."""
    key = version if version.startswith("v") else "v" + version
    summary = load_data("vpc_cni_managed.json")["addon_schemas"].get(key)
    if summary is None:
        return None
    schema = load_data(summary["data_file"])["schema"]
    return AddonSchema(key, schema, summary["env"], summary["init_env"], summary["node_agent"], summary["top_level"])


def newest_addon_schema() -> AddonSchema:
    """The newest bundled add-on schema (MGD006 checks keys against it)."""
    found = addon_schema(_addon_versions()[-1])
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class ManagedFields:
    """The DaemonSet fields EKS owns (certain) or may own (possible), by path (reference/vpc-cni.md § 4.1)."""

    certain: Mapping[str, str]
    possible: Mapping[str, str]
    env_unmanaged: frozenset[str]
    targets: Mapping[str, str]  # configurationValues key → DaemonSet path (§ 4.3, § 5)


@cache
def managed_fields() -> ManagedFields:
    data = load_data("vpc_cni_managed.json")
    managed = data["managed"]
    return ManagedFields(managed["certain"], managed["possible"], frozenset(managed["env_unmanaged"]),
                         data["configuration_values_targets"])
