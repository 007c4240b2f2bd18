"""商业保险 — cash values of policies."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="insurance",
    title="保险机构",
    items=("insurance",),
    datasets=(
        Dataset(
            "commercial_insurance",
            ("id_number", "insurer", "product", "cash_value"),
            "SELECT pseudonym, 'asset' AS category, 'insurance' AS kind, sum(cash_value) AS amount, NULL AS area,"
            " count(*) || '份保单' AS note, 'insurance' AS key FROM answer GROUP BY pseudonym",
            numeric=("cash_value",),
        ),
    ),
)
