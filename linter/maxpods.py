"""The max-pods calculator: ENI-limited figure, EKS guidance cap and recommended value per CNI mode.

Every formula and threshold here is reference/max-pods.md § 2 (the upstream
max-pods-calculator.sh, read and run) and § 7 (what the VPC CNI itself does).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .instances import InstanceType, lookup

# reference/max-pods.md § 2 step 6: vCPUs > 30 → 250, otherwise 110 (strictly more than 30).
SMALL_CAP = 110
LARGE_CAP = 250
CAP_VCPU_THRESHOLD = 30
# reference/max-pods.md § 2 step 4: each non-primary IP slot becomes one /28 prefix of 16 addresses,
# and +2 host-network pods (aws-node, kube-proxy) are added once per node.
IPS_PER_PREFIX = 16
HOST_NETWORK_PODS = 2
# reference/max-pods.md § 2 step 1: prefix delegation from VPC CNI 1.9 on.
PREFIX_DELEGATION_MIN_CNI = (1, 9, 0)
# reference/vpc-cni.md § X15 and its version table: PD on bare metal from 1.10.3 (changelog; the
# README says 1.11). The earlier of the two is used so that no reachable figure is understated.
BARE_METAL_PREFIX_DELEGATION_MIN_CNI = (1, 10, 3)

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")


@dataclass(frozen=True, slots=True)
class CniMode:
    """The VPC CNI settings that change max pods.

    `cni_version` None means unknown: prefix delegation is then assumed possible.
    `pd_nitro_only` mimics max-pods-calculator.sh, which ignores prefix delegation on bare
    metal; the VPC CNI itself allows it there (reference/max-pods.md § 2, quirks).
    """

    custom_networking: bool = False
    prefix_delegation: bool = False
    cni_version: str | None = None
    max_enis: int | None = None
    pd_nitro_only: bool = False


@dataclass(frozen=True, slots=True)
class MaxPods:
    """A computed figure: `eni_limited` is uncapped, `recommended` = min(it, `guidance_cap`)."""

    instance_type: str
    eni_limited: int
    guidance_cap: int | None
    recommended: int
    formula: str
    cap_rule: str
    enis_for_pods: int | None
    prefix_delegation: bool
    notes: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        """A human-readable account: figure, cap, recommendation and notes."""
        recommended = (
            f"recommended: {self.recommended}"
            if self.guidance_cap is None
            else f"recommended: min({self.eni_limited}, {self.guidance_cap}) = {self.recommended}"
        )
        return (
            f"eni-limited max pods: {self.eni_limited}",
            f"  formula: {self.formula}",
            f"eks guidance cap: {self.guidance_cap if self.guidance_cap is not None else 'unknown'}",
            f"  rule: {self.cap_rule}",
            recommended,
            *(f"note: {note}" for note in self.notes),
        )


@dataclass(frozen=True, slots=True)
class NoData:
    """Why no figure can be computed (printed by --explain-skips and the CLI)."""

    instance_type: str
    reason: str


def parse_cni_version(text: object) -> tuple[int, int, int] | None:
    """`1.11.2`, `v1.18.0`, `1.9.0-eksbuild.1` or `1.9` as a tuple; None if not a version."""
    if not isinstance(text, str):
        return None
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def guidance_cap(vcpus: int | None, small: int = SMALL_CAP, large: int = LARGE_CAP) -> int | None:
    """The EKS guidance cap for a vCPU count, or None when the count is unknown."""
    if vcpus is None:
        return None
    return large if vcpus > CAP_VCPU_THRESHOLD else small


def _cap_rule(vcpus: int | None, cap: int | None) -> str:
    if vcpus is None or cap is None:
        return "vCPU count unknown: no cap applied"
    relation = f"more than {CAP_VCPU_THRESHOLD}" if vcpus > CAP_VCPU_THRESHOLD else f"{CAP_VCPU_THRESHOLD} or fewer"
    return f"{cap} for {vcpus} vCPUs ({relation})"


def _prefix_delegation(itype: InstanceType, mode: CniMode, notes: list[str]) -> bool:
    """Whether prefix delegation is in force, noting each silent fallback (reference/max-pods.md § 2)."""
    if not mode.prefix_delegation:
        return False
    version = parse_cni_version(mode.cni_version)
    if mode.cni_version is None:
        notes.append("VPC CNI version not given: assuming 1.9 or later, which supports prefix delegation")
    elif version is None:
        notes.append(f"cni version {mode.cni_version!r} is not a version: assuming prefix delegation works")
    elif version is not None and version < PREFIX_DELEGATION_MIN_CNI:
        notes.append(
            f"prefix delegation needs VPC CNI 1.9 or later; {mode.cni_version} uses secondary IPs"
        )
        return False
    if itype.bare_metal and not itype.nitro and not mode.pd_nitro_only:
        if version is not None and version < BARE_METAL_PREFIX_DELEGATION_MIN_CNI:
            notes.append(
                f"prefix delegation on bare metal needs VPC CNI 1.10.3 or later; {mode.cni_version} "
                "uses secondary IPs"
            )
            return False
        return True
    if not itype.nitro:
        kind = "bare metal" if itype.bare_metal else (itype.hypervisor or "not nitro")
        notes.append(
            f"prefix delegation needs a nitro instance; {itype.name} is {kind}: secondary-IP formula used"
        )
        return False
    return True


def _enis_for_pods(itype: InstanceType, mode: CniMode, notes: list[str]) -> tuple[int, str]:
    """ENIs usable by pods and how they were counted (MAX_ENI clamp, then custom networking)."""
    enis = itype.enis_default_card or 0
    text = str(enis)
    if mode.max_enis is not None:
        if mode.max_enis < 1:
            # The VPC CNI ignores MAX_ENI below 1 (reference/max-pods.md § 2 step 2).
            notes.append(f"max ENIs {mode.max_enis} is below 1 and ignored, as the VPC CNI does")
        elif mode.max_enis < enis:
            text = f"min({mode.max_enis}, {enis})"
            enis = mode.max_enis
    if mode.custom_networking:
        # reference/max-pods.md § 2 step 3: the primary ENI carries no pods.
        text = f"({text} - 1)"
        enis -= 1
    return enis, text


def calculate(
    instance: str | InstanceType,
    mode: CniMode = CniMode(),
    *,
    small_cap: int = SMALL_CAP,
    large_cap: int = LARGE_CAP,
) -> MaxPods | NoData:
    """Max pods for an instance type in a CNI mode, or why it cannot be known."""
    itype = lookup(instance) if isinstance(instance, str) else instance
    name = instance if isinstance(instance, str) else instance.name
    if itype is None:
        return NoData(str(name), f"no instance data for {name}")
    notes: list[str] = []
    cap = guidance_cap(itype.vcpus, small_cap, large_cap)
    if itype.vcpus is None:
        notes.append(f"vCPU count of {name} is not in the bundled data: no guidance cap applied")
    if not itype.has_eni_data:
        return _from_file_only(itype, mode, cap, notes)
    pd = _prefix_delegation(itype, mode, notes)
    enis, enis_text = _enis_for_pods(itype, mode, notes)
    ips = itype.ipv4_per_eni or 0
    per_eni = (ips - 1) * (IPS_PER_PREFIX if pd else 1)
    figure = enis * per_eni + HOST_NETWORK_PODS
    prefix = f" x {IPS_PER_PREFIX} addresses per /28 prefix" if pd else ""
    formula = f"{enis_text} ENIs x ({ips} IPv4 per ENI - 1){prefix} + {HOST_NETWORK_PODS} = {figure}"
    return MaxPods(
        instance_type=name,
        eni_limited=figure,
        guidance_cap=cap,
        recommended=figure if cap is None else min(figure, cap),
        formula=formula,
        cap_rule=_cap_rule(itype.vcpus, cap),
        enis_for_pods=enis,
        prefix_delegation=pd,
        notes=tuple(notes),
    )


def _from_file_only(itype: InstanceType, mode: CniMode, cap: int | None, notes: list[str]) -> MaxPods | NoData:
    """Types listed only in eni-max-pods.txt: its figure is the plain secondary-IP one (§ 3)."""
    if itype.eni_max_pods is None:
        return NoData(itype.name, f"no instance data for {itype.name}")
    if mode.custom_networking or mode.prefix_delegation or (mode.max_enis is not None and mode.max_enis >= 1):
        return NoData(
            itype.name,
            f"only the eni-max-pods.txt figure is known for {itype.name}: "
            "its ENI and IPv4 counts are needed for custom networking, prefix delegation or max ENIs",
        )
    figure = itype.eni_max_pods
    return MaxPods(
        instance_type=itype.name,
        eni_limited=figure,
        guidance_cap=cap,
        recommended=figure if cap is None else min(figure, cap),
        formula=f"eni-max-pods.txt figure for {itype.name} (ENIs x (IPv4 per ENI - 1) + 2) = {figure}",
        cap_rule=_cap_rule(itype.vcpus, cap),
        enis_for_pods=None,
        prefix_delegation=False,
        notes=tuple(notes),
    )


def default_max_pods(
    instance: str | InstanceType,
    *,
    managed: bool,
    small_cap: int = SMALL_CAP,
    large_cap: int = LARGE_CAP,
) -> int | None:
    """The max pods a node gets when none is configured, or None when unknown.

    AL2 bootstrap.sh and AL2023 nodeadm use the uncapped secondary-IP figure and ignore custom
    networking and prefix delegation (reference/max-pods.md § 2, "Other producers"); managed
    node groups without a custom AMI cap it at 110/250 (§ 2, "The 110/250 guidance").
    """
    result = calculate(instance, CniMode(), small_cap=small_cap, large_cap=large_cap)
    if isinstance(result, NoData):
        return None
    if not managed:
        return result.eni_limited
    return None if result.guidance_cap is None else result.recommended
