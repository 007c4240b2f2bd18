"""Writes of regions: importing administrative divisions from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.core.services import change_log_write
from safetynet.regions.choices import UrbanRural
from safetynet.regions.models import Region, level_of, parent_code

CSV_COLUMNS = ["code", "name", "urban_rural"]


@dataclass
class RegionImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, message)


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK (GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("文件编码无法识别：请使用 UTF-8 或 GBK 编码的 CSV"))


def regions_import_csv(*, data: bytes, actor, reason: str = "import regions") -> RegionImportResult:
    """Columns: code (12 digits), name, urban_rural (urban/rural, optional). Parents must exist
    in the file or the database. All rows are checked first; nothing is written if any fails."""
    result = RegionImportResult()
    reader = csv.DictReader(io.StringIO(decode_csv_bytes(data)))
    missing = [c for c in ("code", "name") if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append((1, ",".join(missing), _("缺少列：%(c)s") % {"c": ", ".join(missing)}))
        return result
    rows: list[tuple[int, str, str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        ur = (row.get("urban_rural") or "").strip()
        try:
            level_of(code)
        except ValueError:
            result.errors.append((number, "code", _("区划代码必须是12位数字：%(v)s") % {"v": code}))
            continue
        if not name:
            result.errors.append((number, "name", _("名称不能为空")))
        if ur and ur not in UrbanRural.values:
            result.errors.append(
                (number, "urban_rural", _("城乡属性只能是 urban 或 rural：%(v)s") % {"v": ur})
            )
        if code in seen:
            result.errors.append((number, "code", _("区划代码在文件中重复：%(v)s") % {"v": code}))
        seen.add(code)
        rows.append((number, code, name, ur))
    known = set(
        Region.objects.filter(
            code__in=[parent_code(c) for _n, c, _m, _u in rows if parent_code(c)]
        ).values_list("code", flat=True)
    )
    for number, code, _name, _ur in rows:
        parent = parent_code(code)
        if parent and parent not in known and parent not in seen:
            result.errors.append((number, "code", _("上级区划 %(p)s 不存在") % {"p": parent}))
    if result.errors:
        return result
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=seen)}
        for _number, code, name, ur in sorted(rows, key=lambda r: r[1]):
            level = level_of(code)
            parent = parent_code(code)
            region = existing.get(code)
            if region is None:
                Region.objects.create(code=code, name=name, level=level, parent_id=parent, urban_rural=ur)
                result.created += 1
            elif (region.name, region.urban_rural) != (name, ur):
                region.name, region.urban_rural = name, ur
                region.save(update_fields=["name", "urban_rural"])
                result.updated += 1
            else:
                result.unchanged += 1
        change_log_write(
            actor=actor,
            action="import",
            object_type="regions.region",
            after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            reason=reason,
        )
    return result
