"""税务 — individual income tax of the last calendar year (a cross-check, not an item)."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="taxation",
    title="税务部门",
    items=("tax",),
    datasets=(
        Dataset(
            "tax",
            ("id_number", "tax_year", "income_kind", "income", "tax_paid"),
            "SELECT pseudonym, 'fact' AS category, 'taxed_income' AS kind, sum(income) AS amount, NULL AS area,"
            " CAST(max(tax_year) AS VARCHAR) || '年纳税所得' AS note, 'tax' AS key FROM answer GROUP BY pseudonym",
            numeric=("income",),
        ),
    ),
)
