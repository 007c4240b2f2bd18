"""人社 — social insurance with 12 months' wages and pensions."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="human_resources",
    title="人力资源社会保障部门",
    items=("social_insurance",),
    datasets=(
        Dataset(
            "social_insurance",
            ("id_number", "insurance_kind", "status", "employer_name", "wages_12m", "pension_monthly"),
            "SELECT pseudonym, 'income' AS category, 'wages' AS kind, sum(wages_12m) AS amount, NULL AS area,"
            " string_agg(DISTINCT employer_name, '、') AS note, 'wages' AS key"
            " FROM answer WHERE wages_12m IS NOT NULL GROUP BY pseudonym"
            " UNION ALL "
            "SELECT pseudonym, 'income', 'pension', sum(pension_monthly) * 12, NULL, '养老金', 'pension'"
            " FROM answer WHERE pension_monthly > 0 GROUP BY pseudonym",
            numeric=("wages_12m", "pension_monthly"),
        ),
    ),
)
