"""民政 — cremations (deaths) and marriages."""

from safetynet.verification.connectors.base import Connector, Dataset

CONNECTOR = Connector(
    department="civil_affairs",
    title="民政部门",
    items=("death", "marriage"),
    datasets=(
        Dataset(
            "civil_funeral",
            ("id_number", "death_date", "cremation_date", "funeral_home"),
            "SELECT pseudonym, 'fact' AS category, 'death' AS kind, NULL AS amount, NULL AS area,"
            " '火化 ' || CAST(death_date AS VARCHAR) AS note, 'funeral' AS key FROM answer",
            dates=("death_date", "cremation_date"),
            item="death",
        ),
    ),
)
