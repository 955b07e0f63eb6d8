"""ClusterContext: the documents of one cluster and the facts derived from them, computed once."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from .findings import Location
from .load import Problem, SourceFile, parse_embedded
from .located import LMap, is_unknown
from .views import AwsNode, ClusterConfig, EniConfig, View

if TYPE_CHECKING:
    from .config import ClusterSettings, Config
    from .facts import ZoneFact
    from .inventory import Inventory
    from .network import SubnetFact, VpcFacts
    from .settings import CniSettings

V = TypeVar("V", bound=View)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fact:
    """A value with where it came from: a file location, or a description such as a config key."""

    value: Any
    location: Location | None
    origin: str


class ClusterContext:
    """One cluster (named by its eksctl ClusterConfig or config entry) or one directory of files.

    Rules marked ctx in RULES.md run their cross-file checks only when ``is_cluster`` is true.
    """

    def __init__(
        self,
        key: str,
        name: str | None,
        config: Config,
        settings: ClusterSettings | None = None,
    ) -> None:
        self.key = key
        self.name = name
        self.config = config
        self.settings = settings
        self.sources: list[SourceFile] = []
        self.views: list[View] = []
        self._embedded: dict[tuple[int, Any], tuple[Any, list[Problem]]] = {}
        self.skip_notes: list[str] = []
        self._memo: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"ClusterContext({self.key!r}, {len(self.views)} views)"

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A fact a family derives, computed once per context (several rules ask for it)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def note_skip(self, rule_id: str, reason: str) -> None:
        """Say why a rule stayed silent here (printed by ``--explain-skips``)."""
        note = f"{rule_id} on {self.name or self.key}: {reason}"
        if note not in self.skip_notes:
            self.skip_notes.append(note)

    @property
    def is_cluster(self) -> bool:
        """True for a real cluster (a ClusterConfig or a ``clusters:`` entry), not a directory of files."""
        return self.name is not None

    @property
    def label(self) -> str | None:
        return self.name

    def of(self, cls: type[V]) -> list[V]:
        return [v for v in self.views if isinstance(v, cls)]

    def views_of_kind(self, kind: str) -> Iterator[View]:
        return (v for v in self.views if v.sig.kind == kind)

    @cached_property
    def cluster_configs(self) -> list[ClusterConfig]:
        return self.of(ClusterConfig)

    @cached_property
    def cluster_config(self) -> ClusterConfig | None:
        return self.cluster_configs[0] if len(self.cluster_configs) == 1 else None

    @cached_property
    def eni_configs(self) -> list[EniConfig]:
        return self.of(EniConfig)

    @cached_property
    def aws_nodes(self) -> list[AwsNode]:
        return self.of(AwsNode)

    # --- derived facts (linter/facts.py, linter/settings.py) -----------------------------------

    @cached_property
    def region(self) -> Fact | None:
        from .facts import region_of

        return region_of(self)

    @cached_property
    def node_zones(self) -> list[ZoneFact]:
        from .facts import node_zones

        return node_zones(self)

    @cached_property
    def cni(self) -> CniSettings:
        from .settings import cni_settings

        return cni_settings(self)

    @cached_property
    def previous(self) -> ClusterContext | None:
        """The cluster at the ``--diff-base`` revision (None without one)."""
        if self.config.diff_base is None:
            return None
        from .history import previous_context

        return previous_context(self, self.config.diff_base)

    @cached_property
    def subnets(self) -> dict[str, SubnetFact]:
        from .network import subnet_facts

        return subnet_facts(self)

    @cached_property
    def vpc(self) -> VpcFacts:
        from .network import vpc_facts

        return vpc_facts(self)

    @cached_property
    def inventory(self) -> Inventory:
        """Saved describe-subnets / describe-vpcs records of this cluster (linter/inventory.py)."""
        from .inventory import cluster_inventory

        return cluster_inventory(self)

    def embedded(self, view: View, container: LMap, key: Any) -> Any:
        """The parsed value of an embedded JSON/YAML string, located in the file; None if it fails."""
        return self.embedded_result(view, container, key)[0]

    def embedded_result(self, view: View, container: LMap, key: Any) -> tuple[Any, list[Problem]]:
        """Value and LNT005 problems of an embedded string, parsed once per context."""
        cache_key = (id(container), key)
        if cache_key not in self._embedded:
            text = container.get(key)
            if not isinstance(text, str) or is_unknown(text):
                self._embedded[cache_key] = (None, [])
            else:
                pos = container.val_pos.get(key, container.pos)
                self._embedded[cache_key] = parse_embedded(
                    text, view.doc.source, pos, container.style(key), self.config.limits
                )
        return self._embedded[cache_key]

    def setting(self, key: str) -> Any:
        """A ``clusters.<name>`` config value (None when unset or not a cluster)."""
        return None if self.settings is None else self.settings.raw.get(key)

    def config_location(self, *keys: str) -> Location | None:
        """Where ``clusters.<name>.<keys>`` is written in the config file, for facts from config."""
        if self.settings is None or self.config.path is None:
            return None
        from .config import locate_in_config

        return locate_in_config(self.config.path, ("clusters", self.settings.name, *keys))
