"""公安 — hukou, deaths, vehicles."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="public_security",
    title="公安机关",
    items=("hukou", "death", "vehicles"),
    datasets=(
        Dataset(
            "police_deaths",
            ("id_number", "name", "death_date", "cancelled_on", "cause"),
            "SELECT pseudonym, 'fact' AS category, 'death' AS kind, NULL AS amount, NULL AS area,"
            " '死亡日期 ' || CAST(death_date AS VARCHAR) AS note, 'death' AS key FROM answer",
            dates=("death_date", "cancelled_on"),
            item="death",
        ),
        Dataset(
            "vehicles",
            ("id_number", "owner_name", "plate", "brand", "registered_on", "purchase_price", "status"),
            "SELECT pseudonym, 'asset' AS category, 'vehicle' AS kind, purchase_price AS amount, NULL AS area,"
            " brand || ' ' || plate AS note, 'vehicle:' || plate AS key FROM answer",
            numeric=("purchase_price",),
            dates=("registered_on",),
            item="vehicles",
        ),
    ),
)
