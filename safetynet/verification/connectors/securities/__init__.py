"""证券 — market value of securities accounts."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="securities",
    title="证券机构",
    items=("securities",),
    datasets=(
        Dataset(
            "securities",
            ("id_number", "broker", "market_value"),
            "SELECT pseudonym, 'asset' AS category, 'securities' AS kind, sum(market_value) AS amount, NULL AS area,"
            " string_agg(broker, '、') AS note, 'securities' AS key FROM answer GROUP BY pseudonym",
            numeric=("market_value",),
        ),
    ),
)
