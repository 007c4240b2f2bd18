"""自然资源 — real-estate registrations."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="natural_resources",
    title="自然资源部门",
    items=("real_estate",),
    datasets=(
        Dataset(
            "real_estate",
            (
                "id_number",
                "certificate_no",
                "location",
                "usage",
                "area",
                "registered_on",
                "transaction_price",
            ),
            "SELECT pseudonym, 'asset' AS category,"
            " CASE WHEN usage = '商业' THEN 'non_residential' ELSE 'dwelling' END AS kind,"
            " coalesce(transaction_price, 0) AS amount, area, location AS note,"
            " 'estate:' || certificate_no AS key FROM answer",
            numeric=("area", "transaction_price"),
            dates=("registered_on",),
        ),
    ),
)
