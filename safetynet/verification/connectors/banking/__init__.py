"""银行 — deposits (loans are not assets and are left out)."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="banking",
    title="银行业金融机构",
    items=("deposits",),
    datasets=(
        Dataset(
            "bank",
            ("id_number", "bank_name", "product", "balance"),
            "SELECT pseudonym, 'asset' AS category, 'deposits' AS kind, sum(balance) AS amount, NULL AS area,"
            " count(*) || '个账户' AS note, 'deposits' AS key FROM answer"
            " WHERE product <> '个人住房贷款' GROUP BY pseudonym",
            numeric=("balance",),
        ),
    ),
)
