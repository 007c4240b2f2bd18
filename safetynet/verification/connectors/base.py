"""The shape every department connector has.

A connector names its department, the data items (授权核对事项) it asks about, and per dataset
the columns a result file must carry and one DuckDB query that turns the answered rows (table
``answer``, the identity number replaced by the department pseudonym ``pseudonym``) into
finding rows: pseudonym, category, kind, amount, area, note, key.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[str, ...]
    sql: str  # over table "answer"; returns pseudonym, category, kind, amount, area, note, key
    numeric: tuple[str, ...] = ()  # amounts: a value that is not a number or is negative rejects the row
    dates: tuple[str, ...] = ()  # a date that does not parse or lies after the run's as-of date rejects the row
    item: str = ""  # the data item (授权核对事项) this dataset answers; default: the connector's first


@dataclass(frozen=True)
class Connector:
    department: str
    title: str
    items: tuple[str, ...]
    datasets: tuple[Dataset, ...] = field(default_factory=tuple)

    def item_of(self, dataset: Dataset) -> str:
        return dataset.item or self.items[0]

    def dataset(self, name: str) -> Dataset:
        return next(d for d in self.datasets if d.name == name)
