"""Masking of identity numbers, phones and bank accounts for screens, lists and exports."""


def mask_id_number(value: str | None) -> str:
    """``320102199001011234`` → ``3201**********1234``: region prefix and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str | None) -> str:
    """Bank account: only the last four digits are shown."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    return "*" * max(len(digits) - 4, 0) + digits[-4:]
