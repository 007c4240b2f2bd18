"""One connector per department, all of the same shape (see ``base.Connector``)."""

from importlib import import_module

from safetynet.verification.connectors.base import Connector, Dataset

NAMES = (
    "public_security",
    "natural_resources",
    "market_regulation",
    "human_resources",
    "taxation",
    "banking",
    "finance",
    "civil_affairs",
    "securities",
    "insurance",
    "payment_institutions",
    "housing_fund",
    "healthcare_security",
)
MAIN = NAMES[:8]


def connector(name: str) -> Connector:
    if name not in NAMES:
        raise KeyError(f"unknown department {name!r}")
    return import_module(f"safetynet.verification.connectors.{name}").CONNECTOR


__all__ = ["Connector", "Dataset", "MAIN", "NAMES", "connector"]
