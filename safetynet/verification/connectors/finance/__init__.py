"""财政 — persons on the public payroll."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="finance",
    title="财政部门",
    items=("social_insurance",),
    datasets=(
        Dataset(
            "public_servants",
            ("id_number", "employer", "post_kind", "monthly_salary"),
            "SELECT pseudonym, 'fact' AS category, 'public_payroll' AS kind, sum(monthly_salary) * 12 AS amount,"
            " NULL AS area, string_agg(employer || ' ' || post_kind, '、') AS note, 'payroll' AS key"
            " FROM answer GROUP BY pseudonym",
            numeric=("monthly_salary",),
        ),
    ),
)
