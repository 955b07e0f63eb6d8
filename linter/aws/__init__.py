"""AWS facts as data: regions, zones, IDs, CIDR restrictions (each module cites its source)."""
