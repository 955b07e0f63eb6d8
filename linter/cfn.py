"""CloudFormation templates: the literal CIDRs of ``AWS::EC2::VPC``, ``VPCCidrBlock`` and ``Subnet``.

DESIGN.md § Inputs: short-form tags (``!Ref``) load as unknown values, and a CIDR that is not a
literal (``!Select [0, !Cidr …]``) is unknown, so the rules skip it. A ``VpcId`` of
``!Ref X`` / ``{"Ref": "X"}`` ties a resource to the VPC with logical ID ``X`` of the same template.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .findings import Location
from .load import Document
from .located import LMap, Unknown, is_unknown
from .views import Signature, View

VPC = "AWS::EC2::VPC"
CIDR_BLOCK = "AWS::EC2::VPCCidrBlock"
SUBNET = "AWS::EC2::Subnet"
TYPES = (VPC, CIDR_BLOCK, SUBNET)


@dataclass(frozen=True, slots=True)
class CfnNetwork:
    """One VPC, VPC CIDR block or subnet resource, with its literal IPv4 CIDR (None if not literal)."""

    logical_id: str
    type: str
    cidr: str | None
    location: Location  # the CidrBlock value, else the resource's key
    vpc_ref: str | None  # logical ID of the VPC (the resource itself for a VPC)
    zone: str | None = None
    zone_location: Location | None = None

    @property
    def label(self) -> str:
        return f"{self.type.rsplit('::', 1)[-1]} {self.logical_id}"


def _ref(value: object) -> str | None:
    """The logical ID of ``!Ref X`` or ``{"Ref": "X"}``; None for anything else."""
    if isinstance(value, Unknown) and value.tag in ("!Ref", "tag:yaml.org,2002:Ref") and isinstance(value.raw, str):
        return value.raw
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def _literal(value: object) -> str | None:
    return value if isinstance(value, str) and not is_unknown(value) else None


def networks(data: LMap) -> list[CfnNetwork]:
    """Every VPC, VPCCidrBlock and Subnet resource of a template, in template order."""
    resources = data.get("Resources")
    if not isinstance(resources, LMap):
        return []
    found = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, LMap) or resource.get("Type") not in TYPES:
            continue
        props = resource.get("Properties")
        props = props if isinstance(props, LMap) else None
        kind = str(resource["Type"])
        cidr = _literal(props.get("CidrBlock")) if props is not None else None
        where = props.loc("CidrBlock") if props is not None and "CidrBlock" in props else resources.key_loc(logical_id)
        vpc_ref = str(logical_id) if kind == VPC else (_ref(props.get("VpcId")) if props is not None else None)
        zone = _literal(props.get("AvailabilityZone")) if props is not None else None
        zone_loc = props.loc("AvailabilityZone") if zone is not None and props is not None else None
        found.append(CfnNetwork(str(logical_id), kind, cidr, where, vpc_ref, zone, zone_loc))
    return found


@dataclass(frozen=True, slots=True, eq=False)
class CfnTemplate(View):
    """A CloudFormation template that declares VPCs, VPC CIDR blocks or subnets."""

    kind_name = "CloudFormation template"

    def anchor(self) -> Location:
        return self.doc.loc()

    def networks(self) -> list[CfnNetwork]:
        return networks(self.data)


def templates(views: Iterable[View]) -> Iterator[tuple[View, list[CfnNetwork]]]:
    """Every classified CloudFormation template with VPC resources, whichever view took it (a
    template that also declares launch templates is classified for those, see linter/nodepods.py)."""
    for view in views:
        if not view.sig.kind and isinstance(view.data.get("Resources"), LMap):
            nets = networks(view.data)
            if nets:
                yield view, nets


def cfn_template(doc: Document, data: LMap, sig: Signature) -> View | None:
    """Content recogniser: a mapping with ``Resources`` holding a VPC, VPC CIDR block or subnet."""
    resources = data.get("Resources")
    if sig.kind or not isinstance(resources, LMap):
        return None
    if any(isinstance(r, LMap) and r.get("Type") in TYPES for r in resources.values()):
        return CfnTemplate(doc, data, sig)
    return None
