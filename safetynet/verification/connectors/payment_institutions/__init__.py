"""非银行支付机构 — platform balances."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="payment_institutions",
    title="非银行支付机构",
    items=("payment_platforms",),
    datasets=(
        Dataset(
            "payment_platforms",
            ("id_number", "platform", "balance"),
            "SELECT pseudonym, 'asset' AS category, 'other_monetary' AS kind, sum(balance) AS amount, NULL AS area,"
            " string_agg(platform, '、') AS note, 'payment' AS key FROM answer GROUP BY pseudonym",
            numeric=("balance",),
        ),
    ),
)
