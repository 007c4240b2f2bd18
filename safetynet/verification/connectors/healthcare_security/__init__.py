"""医保 — medical out-of-pocket costs (rigid expense)."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="healthcare_security",
    title="医疗保障部门",
    items=("social_insurance",),
    datasets=(
        Dataset(
            "medical_insurance",
            ("id_number", "settlement_date", "visit_kind", "out_of_pocket"),
            "SELECT pseudonym, 'expense' AS category, 'medical' AS kind, sum(out_of_pocket) AS amount, NULL AS area,"
            " count(*) || '次结算' AS note, 'medical' AS key FROM answer GROUP BY pseudonym",
            numeric=("out_of_pocket",),
            dates=("settlement_date",),
        ),
    ),
)
