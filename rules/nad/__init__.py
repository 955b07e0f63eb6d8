"""NAD: NetworkAttachmentDefinitions and pod network annotations, one module per sub-topic."""
from __future__ import annotations

from . import ipam, objects, plugins

MODULES = (objects, ipam, plugins)
