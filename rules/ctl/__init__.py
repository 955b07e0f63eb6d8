"""CTL: eksctl ClusterConfig networking, one module per sub-topic (zones, subnets, IPv6, node groups, cluster)."""
from __future__ import annotations

from . import cluster, ipv6, nodegroups, subnets, zones

MODULES = (zones, ipv6, nodegroups, cluster, subnets)
