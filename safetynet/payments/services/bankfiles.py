"""Bank disbursement files, return-file reconciliation, corrections and supplementary files."""

from __future__ import annotations

import binascii
import csv
import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from safetynet.core.crypto import decrypt
from safetynet.core.services import access_log_write, change_log_write
from safetynet.payments.models import (
    BankFile,
    Correction,
    Entitlement,
    PaymentLine,
    Payroll,
    ReturnImport,
)
from safetynet.payments.services._common import CENT, user_or_none

HEADER = ("H", "month", "count", "total", "sha256")
EXCEL_MAX_ROWS = 1_048_576  # Excel's row limit, header row included
XLSX_LAYOUTS = (BankFile.Layout.XLSX, BankFile.Layout.YIKATONG_XLSX)
YIKATONG_LAYOUTS = (BankFile.Layout.YIKATONG, BankFile.Layout.YIKATONG_XLSX)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _body_rows(layout: str, month: dt.date, rows: list[tuple]) -> list[list[str]]:
    """Amounts arrive quantized to the cent (``_file_rows_by_bank``): ``str`` gives the two
    decimals, at a fraction of the cost of formatting a Decimal a million times."""
    if layout in YIKATONG_LAYOUTS:
        tag, ym = "社会救助", f"{month:%Y%m}"
        return [[ref, account, holder, str(amount), tag, ym] for ref, holder, account, amount in rows]
    return [[ref, holder, account, str(amount)] for ref, holder, account, amount in rows]


def _body_text(layout: str, month: dt.date, rows: list[tuple]) -> str:
    """The body as CSV text. Holders' names are the only free text: when none holds a comma,
    quote or line break (one scan of all names) the lines are joined directly, else ``csv``
    quotes them."""
    if not re.search(r'[",\r\n]', "".join(r[1] for r in rows)):
        if layout in YIKATONG_LAYOUTS:
            tail = f",社会救助,{month:%Y%m}"
            return "".join(
                f"{ref},{account},{holder},{amount}{tail}\n" for ref, holder, account, amount in rows
            )
        return "".join(f"{ref},{holder},{account},{amount}\n" for ref, holder, account, amount in rows)
    body = io.StringIO()
    csv.writer(body, lineterminator="\n").writerows(_body_rows(layout, month, rows))
    return body.getvalue()


def _render(
    layout: str, month: dt.date, rows: list[tuple[str, str, str, Decimal]]
) -> tuple[bytes, Decimal, str]:
    """rows: (reference, holder, account, amount). The checksum is SHA-256 over the body lines as
    CSV (the same value for the .csv and the .xlsx of one layout); the header carries month,
    count, total and the checksum. .xlsx: the same rows, one cell per field, text cells except
    the amount (a number shown with two decimals)."""
    text = _body_text(layout, month, rows)
    total = sum((r[3] for r in rows), Decimal(0))
    checksum = hashlib.sha256(text.encode()).hexdigest()
    if layout not in XLSX_LAYOUTS:
        head = f"H,{month:%Y-%m},{len(rows)},{total:.2f},{checksum}\n"
        return (head + text).encode("utf-8"), total, checksum
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("代发")
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, ["H", f"{month:%Y-%m}", str(len(rows)), f"{total:.2f}", checksum])
    body_rows = _body_rows(layout, month, rows)
    amount_col = 3
    for i, row in enumerate(body_rows, start=1):
        for j, value in enumerate(row):
            if j == amount_col:
                sheet.write_number(i, j, float(value), money)
            else:
                sheet.write_string(i, j, value)
    book.close()
    return out.getvalue(), total, checksum


def _decrypt_many(tokens: list[str]) -> dict[str, str]:
    """Bulk decryption of account numbers: one cipher object for all, each distinct token once."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from safetynet.core.crypto import field_key

    decrypt_gcm = AESGCM(field_key()).decrypt
    a2b = binascii.a2b_base64
    out: dict[str, str] = {}
    for token in tokens:
        if not token or token in out:
            continue
        if token[:3] == "a1:":
            raw = a2b(token[3:])
            out[token] = decrypt_gcm(raw[:12], raw[12:], None).decode()
        else:
            out[token] = decrypt(token)
    return out


FILE_ROWS = """
SELECT e.bank_name, s.eid, e.payee_name, e.account_enc, s.t
FROM (SELECT entitlement_id AS eid, SUM(amount) AS t FROM payments_paymentline
      WHERE payroll_id = %s {only} GROUP BY entitlement_id) s
JOIN payments_entitlement e ON e.id = s.eid
ORDER BY s.eid
"""  # by entitlement only: an integer sort (a sort on the bank's name compares text with the
# database collation, a million times over the same name); the banks are split in Python


def _file_rows_by_bank(payroll: Payroll, ent_ids: set[int] | None) -> dict[str, list[tuple]]:
    """{bank: [(reference, holder, account in clear, amount)]} in entitlement order: one grouped scan of the
    payroll's lines (one row per payee) and bulk decryption of the accounts."""
    params: list[Any] = [payroll.pk]
    only = ""
    if ent_ids is not None:
        only = "AND entitlement_id IN (" + ",".join(["%s"] * len(ent_ids)) + ")"
        params += sorted(ent_ids)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            from safetynet.payments.services.payroll import pg_batch_settings

            pg_batch_settings(cur)
        cur.execute(FILE_ROWS.format(only=only), params)
        fetched = cur.fetchall()
    plain = _decrypt_many([r[3] for r in fetched])
    out: dict[str, list[tuple]] = {}
    prefix = f"{payroll.pk}-"
    for bank, eid, name, enc, total in fetched:
        if not (isinstance(total, Decimal) and total.as_tuple().exponent == -2):
            total = Decimal(str(total)).quantize(CENT)
        rows = out.get(bank or "")
        if rows is None:
            rows = out[bank or ""] = []
        rows.append((prefix + str(eid), name, plain.get(enc, ""), total))
    return out


def _file_rows(payroll: Payroll, ent_ids: set[int] | None, bank: str | None) -> list[tuple]:
    by_bank = _file_rows_by_bank(payroll, ent_ids)
    if bank is not None:
        return by_bank.get(bank, [])
    return [row for rows in by_bank.values() for row in rows]


@transaction.atomic
def bank_files_build(*, actor: Any, payroll: Payroll, layout: str = BankFile.Layout.CSV) -> list[BankFile]:
    """One file per bank for an approved payroll (reuses files already built). Layouts: bank CSV,
    一卡通 CSV, and the same two as .xlsx when a file stays within Excel's row limit."""
    payroll = Payroll.objects.restrict(actor, "change").get(pk=payroll.pk)
    if layout not in BankFile.Layout.values:
        raise ValidationError({"layout": [_("未知的文件格式：%(l)s") % {"l": layout}]})
    if payroll.state != Payroll.State.APPROVED:
        raise ValidationError({"state": [_("发放名册审批后才能生成代发文件")]})
    existing = list(payroll.files.filter(supplementary=False, layout=layout))
    if existing:
        return existing
    by_bank = _file_rows_by_bank(payroll, None)
    if layout in XLSX_LAYOUTS:
        too_big = [b for b, rows in by_bank.items() if len(rows) + 1 > EXCEL_MAX_ROWS]
        if too_big:
            raise ValidationError(
                {
                    "layout": [
                        _("%(b)s 的代发文件超过 Excel 行数上限（1,048,576 行，含文件头），请使用 CSV")
                        % {"b": "、".join(too_big)}
                    ]
                }
            )
    return [
        _save_file(actor, payroll, bank, layout, by_bank[bank], supplementary=False)
        for bank in sorted(by_bank)
    ]


def _save_file(
    actor: Any, payroll: Payroll, bank: str, layout: str, rows: list[tuple], *, supplementary: bool
) -> BankFile:
    if layout in XLSX_LAYOUTS and len(rows) + 1 > EXCEL_MAX_ROWS:
        raise ValidationError({"layout": [_("超过 Excel 行数上限，请使用 CSV")]})
    content, total, checksum = _render(layout, payroll.month, rows)
    ext = "xlsx" if layout in XLSX_LAYOUTS else "csv"
    n = payroll.files.count() + 1
    f = BankFile.objects.create(
        payroll=payroll,
        bank_name=bank or _("未登记银行"),
        layout=layout,
        supplementary=supplementary,
        name=f"payroll-{payroll.pk}-{n}-{layout}.{ext}",
        content=content,
        line_count=len(rows),
        total=total,
        checksum=checksum,
        references=[r[0] for r in rows],
        created_by=user_or_none(actor),
    )
    change_log_write(
        actor=actor,
        action="create",
        obj=f,
        after={"lines": len(rows), "total": str(total), "checksum": checksum},
        reason=_("生成补发文件") if supplementary else _("生成代发文件"),
    )
    return f


def bank_file_download(*, actor: Any, bank_file: BankFile) -> bytes:
    """The full file (accounts in clear) — every download is written to the access log."""
    Payroll.objects.restrict(actor, "change").get(pk=bank_file.payroll_id)
    access_log_write(actor=actor, obj=bank_file, field="account", purpose=_("下载代发文件"))
    return bytes(bank_file.content)


# ---------------------------------------------------------------- reconciliation

FAILURES = {c.value for c in Correction.Reason}


def return_file_import(*, actor: Any, bank_file: BankFile, content: bytes) -> ReturnImport:
    """Read the bank's return file: header ``H,YYYY-MM,count,total`` then
    ``reference,amount,status[,reason]`` with status ``paid`` or ``failed`` and reason one of
    wrong_account / closed_account / name_mismatch. Unknown references, duplicated lines, a
    total that does not match, or the wrong month: rejected whole with a report."""
    Payroll.objects.restrict(actor, "change").get(pk=bank_file.payroll_id)
    errors: list[str] = []
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    head = next(reader, None)
    payroll = bank_file.payroll
    lines: list[list[str]] = [r for r in reader if r]
    declared: Decimal | None = None
    if not head or head[0] != "H" or len(head) < 4:
        errors.append(_("第 1 行应为文件头 H,月份,笔数,金额"))
    else:
        if head[1] != f"{payroll.month:%Y-%m}":
            errors.append(
                _("文件头月份 %(m)s 与名册月份 %(p)s 不符") % {"m": head[1], "p": f"{payroll.month:%Y-%m}"}
            )
        try:
            if int(head[2]) != len(lines):
                errors.append(_("文件头笔数 %(h)s 与明细行数 %(n)s 不符") % {"h": head[2], "n": len(lines)})
            declared = Decimal(head[3])
        except Exception:  # noqa: BLE001 — any malformed header value is reported, not raised
            errors.append(_("文件头笔数或金额格式错误"))
    known = dict(zip(bank_file.references, _expected_amounts(bank_file), strict=False))
    seen: set[str] = set()
    paid: list[str] = []
    failed: list[tuple[str, str]] = []
    total = Decimal(0)
    for n, row in enumerate(lines, start=2):
        ref = row[0].strip()
        if ref in seen:
            errors.append(_("第 %(n)s 行：流水号 %(r)s 重复") % {"n": n, "r": ref})
            continue
        seen.add(ref)
        if ref not in known:
            errors.append(_("第 %(n)s 行：流水号 %(r)s 不在代发文件中") % {"n": n, "r": ref})
            continue
        try:
            amount = Decimal(row[1])
        except Exception:  # noqa: BLE001
            errors.append(
                _("第 %(n)s 行：金额格式错误 %(a)s") % {"n": n, "a": row[1] if len(row) > 1 else ""}
            )
            continue
        total += amount
        if amount != known[ref]:
            errors.append(
                _("第 %(n)s 行：金额 %(a)s 与代发金额 %(e)s 不符") % {"n": n, "a": amount, "e": known[ref]}
            )
        status = row[2].strip() if len(row) > 2 else ""
        if status == "paid":
            paid.append(ref)
        elif status == "failed" and len(row) > 3 and row[3].strip() in FAILURES:
            failed.append((ref, row[3].strip()))
        else:
            errors.append(
                _("第 %(n)s 行：状态应为 paid 或 failed 加原因（wrong_account/closed_account/name_mismatch）")
                % {"n": n}
            )
    if declared is not None and declared != total:
        errors.append(_("文件头金额 %(h)s 与明细合计 %(t)s 不符") % {"h": declared, "t": total})
    with transaction.atomic():
        if errors:
            imp = ReturnImport.objects.create(
                bank_file=bank_file,
                status=ReturnImport.Status.REJECTED,
                errors=errors[:200],
                created_by=user_or_none(actor),
            )
            change_log_write(
                actor=actor, action="create", obj=imp, after={"errors": len(errors)}, reason=_("拒收银行回盘")
            )
            return imp
        ent_of = {ref: int(ref.split("-", 1)[1]) for ref in known}
        paid_ids = [ent_of[r] for r in paid]
        _mark_lines(
            bank_file.payroll_id,
            [(e, "paid", "") for e in paid_ids] + [(ent_of[r], "failed", reason) for r, reason in failed],
        )
        ent_rows = dict(
            Entitlement.objects.filter(pk__in=[ent_of[r] for r, _x in failed]).values_list(
                "pk", "township_code"
            )
        )
        Correction.objects.bulk_create(
            [
                Correction(
                    payroll_id=bank_file.payroll_id,
                    entitlement_id=ent_of[r],
                    township_code=ent_rows[ent_of[r]],
                    reason=reason,
                    amount=known[r],
                    created_by=user_or_none(actor),
                )
                for r, reason in failed
            ],
            ignore_conflicts=True,
        )
        if bank_file.supplementary:
            Correction.objects.filter(payroll_id=bank_file.payroll_id, entitlement_id__in=paid_ids).update(
                state=Correction.State.REISSUED
            )
        imp = ReturnImport.objects.create(
            bank_file=bank_file,
            status=ReturnImport.Status.ACCEPTED,
            paid=len(paid),
            failed=len(failed),
            created_by=user_or_none(actor),
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=imp,
            after={"paid": len(paid), "failed": len(failed)},
            reason=_("导入银行回盘"),
        )
    return imp


def _mark_lines(payroll_id: int, marks: list[tuple[int, str, str]]) -> None:
    """Set each payee's lines to paid / failed. PostgreSQL: COPY into a staging table and one
    ``UPDATE … FROM``; SQLite: one ``executemany``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE ret_stage (entitlement_id bigint, status varchar(10), failure varchar(30))"
                " ON COMMIT DROP"
            )
            with cur.cursor.copy("COPY ret_stage (entitlement_id, status, failure) FROM STDIN") as copy:
                for row in marks:
                    copy.write_row(row)
            cur.execute(
                "UPDATE payments_paymentline l SET status = s.status, failure = s.failure FROM ret_stage s"
                " WHERE l.payroll_id = %s AND l.entitlement_id = s.entitlement_id",
                [payroll_id],
            )
            cur.execute("DROP TABLE ret_stage")
        return
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE payments_paymentline SET status = %s, failure = %s WHERE payroll_id = %s AND entitlement_id = %s",
            [(st, fail, payroll_id, e) for e, st, fail in marks],
        )


def _expected_amounts(bank_file: BankFile) -> list[Decimal]:
    """The amount sent to each payee, in the order of ``bank_file.references``."""
    if bank_file.layout in XLSX_LAYOUTS:
        ids = [int(r.split("-", 1)[1]) for r in bank_file.references]
        sums = dict(
            PaymentLine.objects.filter(payroll_id=bank_file.payroll_id, entitlement_id__in=ids)
            .values_list("entitlement_id")
            .annotate(t=Sum("amount"))
        )
        return [Decimal(str(sums.get(i, 0))).quantize(CENT) for i in ids]
    body = bytes(bank_file.content).decode("utf-8").splitlines()[1:]
    return [Decimal(row[3]) for row in csv.reader(body)]  # amount is the 4th field in both layouts


@transaction.atomic
def supplementary_file_build(*, actor: Any, payroll: Payroll) -> BankFile:
    """补发文件 for corrections whose account has been fixed; the same payment lines are
    reissued (never a second line for the same month)."""
    payroll = Payroll.objects.restrict(actor, "change").get(pk=payroll.pk)
    ready = Correction.objects.filter(payroll=payroll, state=Correction.State.FIXED)
    ids = set(ready.values_list("entitlement_id", flat=True))
    if not ids:
        raise ValidationError({"corrections": [_("没有已更正待补发的记录")]})
    rows = _file_rows(payroll, ids, None)
    f = _save_file(actor, payroll, _("补发"), BankFile.Layout.CSV, rows, supplementary=True)
    ready.update(reissue_file=f)
    payroll.lines.filter(entitlement_id__in=ids).update(status=PaymentLine.Status.PENDING, failure="")
    return f
