"""Helpers of the MGD family: the managed add-on, field paths, shipped values, configurationValues schemas."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from eks_net_lint.cni_settings import AWS_NODE, INIT
from eks_net_lint.cni_sources import HelmValues
from eks_net_lint.cni_version import (
    AddonSchema,
    Release,
    addon_schema,
    newest_release,
    parse_addon_version,
    parse_image,
    shipped_release,
)
from eks_net_lint.context import ClusterContext
from eks_net_lint.findings import Location, Related, Violation
from eks_net_lint.located import LList, LMap, dig, loc_of, text_of
from eks_net_lint.settings import SettingValue, addon_state, configuration_values
from eks_net_lint.views import AwsNode, ClusterConfig, View

from .common import literal

_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[\]]+")
POD = ("spec", "template", "spec")
HINT = "Set it through the vpc-cni add-on's configurationValues, or drop it from the DaemonSet."


def steps(path: str) -> tuple[str, ...]:
    """``spec.template.spec.containers[aws-node].image`` → its steps; ``[x]`` picks a list item."""
    return tuple(_TOKEN.findall(path))


def _item(items: Sequence[Any], key: str) -> Any:
    wanted = key[1:-1]
    for item in items:
        if isinstance(item, Mapping) and any(str(item.get(k)) == wanted for k in ("name", "mountPath", "containerPort")):
            return item
    return None


def resolve(value: Any, path: Sequence[str]) -> Any:
    """Follow steps through mappings and named list items; None when a step does not fit."""
    for step in path:
        if step.startswith("["):
            if not isinstance(value, (list, tuple)):
                return None
            value = _item(value, step)
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return value


def locate(data: LMap, path: Sequence[str]) -> Location | None:
    """Where the value at ``path`` is written: a scalar's value, a collection's key line."""
    parent = resolve(data, path[:-1]) if len(path) > 1 else data
    last = path[-1]
    if isinstance(parent, LMap) and last in parent:
        return parent.key_loc(last) if isinstance(parent[last], (LMap, LList)) else parent.loc(last)
    if isinstance(parent, LList) and last.startswith("["):
        for index, item in enumerate(parent):
            if item is _item(parent, last):
                return parent.loc(index)
    return None


def difference(stated: Any, shipped: Any) -> tuple[str, ...] | None:
    """The relative path of the first place a (partial) value changes what ships; None when it does not."""
    if isinstance(stated, Mapping) and isinstance(shipped, Mapping):
        for key, value in stated.items():
            if key not in shipped:
                continue  # not shipped: an API default or an addition EKS does not own
            below = difference(value, shipped[key])
            if below is not None:
                return (str(key), *below)
        return None
    return () if differs(stated, shipped) else None


def differs(stated: Any, shipped: Any) -> bool:
    """Whether a (partial, strategic-merge) value changes what the release ships.

    Keys the release does not ship are not compared: a ``kubectl get -o yaml`` dump carries API
    defaults (``periodSeconds``, ``hostPath.type: ""``, …) that EKS never applies.
    """
    if isinstance(stated, Mapping):
        if not isinstance(shipped, Mapping):
            return True
        return any(differs(v, shipped[k]) for k, v in stated.items() if k in shipped)
    if isinstance(stated, (list, tuple)):
        if not isinstance(shipped, (list, tuple)):
            return True
        return any(all(differs(item, other) for other in shipped) for item in stated)
    if shipped is None:
        return stated is not None
    return bool(text_of(stated) != text_of(shipped))


def shipped_value(release: Release, path: tuple[str, ...]) -> tuple[bool, Any]:
    """(known, value) of a DaemonSet path in a release: env values, or below a recorded field."""
    if len(path) >= 8 and path[5] == "env" and path[-1] == "value":
        container = path[4][1:-1]
        return True, release.env(container).get(path[6][1:-1])
    for recorded, value in release.data["fields"].items():
        prefix = steps(recorded)
        if path[: len(prefix)] == prefix:
            return True, resolve(value, path[len(prefix):])
    return False, None


@dataclass(frozen=True, slots=True)
class Managed:
    """The managed add-on as the files state it."""

    addon: LMap | None  # the eksctl vpc-cni entry, when listed
    cluster_config: ClusterConfig | None
    configured: dict[tuple[str, str], SettingValue]  # (container, name) set through configurationValues

    @property
    def version_text(self) -> str | None:
        return text_of(self.addon.get("version")) if self.addon is not None else None

    def release(self, node: AwsNode | None = None) -> Release | None:
        """The exact upstream release the add-on (else the DaemonSet image) runs, when it is bundled."""
        parsed = parse_addon_version(self.version_text)
        version = parsed.version if parsed is not None else None
        main = node.main() if node is not None else None
        if version is None and main is not None:
            ref = parse_image(main.image)
            version = ref.version if ref is not None else None
        release = shipped_release(version)
        return release if release is not None and release.exact else None


def managed(ctx: ClusterContext) -> Managed | None:
    """The managed add-on state when the cluster uses it (eksctl lists it, or managedFields say ``eks``)."""
    addon, cc, _ = addon_state(ctx)
    if addon is None and not any(node.managed_by_eks() for node in ctx.aws_nodes):
        return None
    configured = {(v.container, v.name): v for v in ctx.cni.values if v.source == "configurationValues"}
    return Managed(addon, cc, configured)


def configuration(ctx: ClusterContext) -> Iterator[tuple[ClusterConfig, LMap, Any]]:
    """(ClusterConfig, vpc-cni add-on entry, parsed configurationValues) for every listed vpc-cni."""
    for cc in ctx.cluster_configs:
        for addon in cc.addons():
            if addon.get("name") == "vpc-cni" and "configurationValues" in addon:
                parsed = configuration_values(ctx, cc, addon)
                if parsed is not None:
                    yield cc, addon, parsed


@cache
def _validator(version: str, schema_json: str) -> Any:
    import jsonschema  # slow to import: only on the path that validates add-on configuration

    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def schema_problems(config: LMap, schema: AddonSchema, *, keys_only: bool) -> Iterator[tuple[str, Location]]:
    """(what is wrong, where) for configurationValues against an add-on schema, deepest first."""
    validator = _validator(schema.version, json.dumps(schema.schema, default=dict))
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]):
        path = [str(p) for p in error.absolute_path]
        where = ".".join(path)
        parent = dig(config, *error.absolute_path) if path else config
        if error.validator == "additionalProperties" and isinstance(parent, LMap):
            allowed = error.schema.get("properties", {})
            for key in parent:
                if key not in allowed:
                    full = f"{where}.{key}" if where else str(key)
                    yield f"key {full} is not in", parent.key_loc(key)
        elif keys_only:
            continue
        elif error.validator == "type":
            wanted = error.validator_value if isinstance(error.validator_value, str) else "/".join(error.validator_value)
            yield f"{where or 'the value'} is {_json_type(error.instance)} but must be {wanted} in", \
                loc_of(config, *error.absolute_path) or config.loc()
        elif error.validator == "required" and isinstance(parent, LMap):
            missing = [r for r in error.validator_value if r not in parent]
            keys = list(error.absolute_path)
            holder = dig(config, *keys[:-1]) if keys else None
            at = holder.key_loc(keys[-1]) if isinstance(holder, LMap) else parent.loc()
            yield f"{where or 'the top level'} lacks required {', '.join(missing)} in", at
        else:
            yield f"{where or 'the value'}: {error.message} in", loc_of(config, *error.absolute_path) or config.loc()


# --- rule helpers of rules/mgd.py ----------------------------------------------------------------


def env_path(container: str, init: bool, name: str) -> tuple[str, ...]:
    return (*POD, "initContainers" if init else "containers", f"[{container}]", "env", f"[{name}]", "value")


def owned_field_violations(node: AwsNode, owned: dict[tuple[str, ...], Location], release: Any) -> Iterator[Violation]:
    account = text_of(resolve(node.data, (*POD, "serviceAccountName")))
    if account is not None and account != "aws-node":
        yield Violation(f"serviceAccountName is {account} but the managed vpc-cni add-on runs aws-node as aws-node: "
                        "EKS reverts it", node.loc(*POD, "serviceAccountName"),
                        "Keep serviceAccountName aws-node; give that account its IAM role instead.")
    if release is None:
        return
    for path, where in owned.items():
        if "env" in path or path[-1] in ("image", "serviceAccountName"):
            continue  # judged above
        value = resolve(node.data, path)
        known, shipped = shipped_value(release, path)
        location = locate(node.data, path)
        if value is not None and known and shipped is not None and location is not None and differs(value, shipped):
            yield Violation(f"{'.'.join(path[3:])} is changed here but EKS owns it (managedFields) and applies "
                            f"{text_of(shipped) if not isinstance(shipped, (dict, tuple)) else 'its own value'}",
                            location, HINT, (Related(where, "managed by eks"),))


def definitions(ctx: ClusterContext) -> list[View]:
    return [v for v in ctx.views if (isinstance(v, AwsNode) and v.is_complete) or isinstance(v, HelmValues)]


def kind_of(view: View) -> str:
    return "Helm values" if isinstance(view, HelmValues) else "the aws-node DaemonSet"


def exact_schema(addon: LMap) -> Any:
    parsed = parse_addon_version(addon.get("version"))
    return addon_schema(parsed.raw) if parsed is not None and parsed.eksbuild is not None else None


def customisations(ctx: ClusterContext, state: Managed) -> Iterator[SettingValue]:
    for value in ctx.cni.values:
        text = literal(value)
        if value.source == "configurationValues" or value.container not in (AWS_NODE, INIT) or text is None:
            continue
        configured = state.configured.get((value.container, value.name))
        if configured is not None and configured.text == text:
            continue
        if value.source == "daemonset":
            node = value.view if isinstance(value.view, AwsNode) else None
            main = node.main() if node is not None else None
            ref = parse_image(main.image) if main is not None else None
            release = shipped_release(ref.version if ref else None) or newest_release()
            if release.env(value.container).get(value.name) == text:
                continue
        yield value
