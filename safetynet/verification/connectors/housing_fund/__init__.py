"""住房公积金 — balances (a fact: not counted as a financial asset here)."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="housing_fund",
    title="住房公积金管理中心",
    items=("provident_fund",),
    datasets=(
        Dataset(
            "provident_fund",
            ("id_number", "employer_name", "status", "balance"),
            "SELECT pseudonym, 'fact' AS category, 'provident_fund' AS kind, sum(balance) AS amount, NULL AS area,"
            " string_agg(status, '、') AS note, 'fund' AS key FROM answer GROUP BY pseudonym",
            numeric=("balance",),
        ),
    ),
)
