"""市场监管 — business registrations (operator or legal representative)."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="market_regulation",
    title="市场监管部门",
    items=("business",),
    datasets=(
        Dataset(
            "business_registrations",
            ("id_number", "role", "entity_name", "entity_type", "uscc", "registered_capital", "status"),
            "SELECT pseudonym, 'asset' AS category, 'business' AS kind, registered_capital AS amount,"
            " NULL AS area, entity_name || '（' || role || '）' AS note, 'business:' || uscc AS key"
            " FROM answer WHERE status <> '吊销'",
            numeric=("registered_capital",),
        ),
    ),
)
