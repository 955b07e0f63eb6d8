"""Tests for eks_net_lint.cfn: CloudFormation VPC, VPCCidrBlock and Subnet resources."""
from __future__ import annotations

from pathlib import Path

from eks_net_lint.cfn import CIDR_BLOCK, SUBNET, VPC, CfnTemplate
from eks_net_lint.classify import classify
from eks_net_lint.load import Limits, read_source

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  PodCidr:
    Type: AWS::EC2::VPCCidrBlock
    Properties: {VpcId: !Ref Vpc, CidrBlock: 100.64.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {"Ref": "Vpc"}
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: us-west-2a
  Bucket:
    Type: AWS::S3::Bucket
  Broken: 5
"""


def _views(tmp_path: Path, text: str, name: str = "template.yaml") -> list[object]:
    path = tmp_path / name
    path.write_text(text)
    views, _skips = classify(read_source(str(path), path, Limits()))
    return views


def test_networks_of_a_template(tmp_path: Path) -> None:
    (template,) = _views(tmp_path, TEMPLATE)
    assert isinstance(template, CfnTemplate)
    nets = template.networks()
    assert [(n.logical_id, n.type, n.cidr, n.vpc_ref) for n in nets] == [
        ("Vpc", VPC, "10.0.0.0/16", "Vpc"),
        ("PodCidr", CIDR_BLOCK, "100.64.0.0/16", "Vpc"),
        ("SubnetA", SUBNET, None, "Vpc"),  # !Select is not a literal: unknown
    ]
    assert nets[0].location.line == 6 and nets[1].location.line == 9
    assert nets[2].zone == "us-west-2a" and nets[2].zone_location is not None


def test_json_template_and_non_templates(tmp_path: Path) -> None:
    json_text = '{"Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}}}}'
    (template,) = _views(tmp_path, json_text, "vpc.json")
    assert isinstance(template, CfnTemplate) and template.networks()[0].cidr == "10.1.0.0/16"
    assert _views(tmp_path, "Resources:\n  B: {Type: AWS::S3::Bucket}\n", "other.yaml") == []
    assert _views(tmp_path, "Resources: [1, 2]\n", "odd.yaml") == []
    odd = _views(tmp_path, "Resources:\n  V: {Type: AWS::EC2::VPC, Properties: [1]}\n", "props.yaml")
    assert isinstance(odd[0], CfnTemplate) and odd[0].networks()[0].cidr is None


def test_a_template_with_launch_templates_still_gives_its_networks(tmp_path: Path) -> None:
    from eks_net_lint.cfn import templates

    text = TEMPLATE + "  Lt:\n    Type: AWS::EC2::LaunchTemplate\n    Properties: {LaunchTemplateData: {}}\n"
    views = _views(tmp_path, text)
    assert len(views) == 1 and not isinstance(views[0], CfnTemplate)  # the launch-template view took it
    ((view, nets),) = list(templates(views))  # type: ignore[arg-type]
    assert view is views[0] and [n.logical_id for n in nets] == ["Vpc", "PodCidr", "SubnetA"]
