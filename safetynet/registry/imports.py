"""Batch import of households and members from .xlsx or .csv (批量导入家庭及成员).

The layout — one row per person, rows grouped into households by 户编号 — is declared once in
``COLUMNS``; the template, the reader and docs/import-format.md follow it.

How a file is written (docs/import-format.md, "Rules"):

- every row is checked with the registry's own rules (``services.household_validate``, which runs
  ``person_validate`` for each member, and the models' field checks);
- a household is written whole or not at all: a household with any bad row is rejected whole,
  and the valid households of the same file are written;
- a household whose head (与户主关系“本人”) already heads a household on file is compared with it,
  and the differences go through ``household_update`` / ``member_update`` / ``member_add`` (each
  a change report); unchanged rows are skipped, so a file imported twice — or again after a
  crash — creates nothing new;
- new households are written in bulk, one transaction per chunk: through ``household_create``
  (82 queries a household) 100,000 rows take about nine minutes. If a chunk hits a database
  constraint (someone filed the same person meanwhile) it is rolled back and its households go
  through ``household_create`` one by one;
- the run is a ``Job``: one change-log entry for the job (counts, sha256 of the file); the rows
  it creates carry the job's id; the services' own change-log rows carry it through
  ``context.bound(job=...)``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from safetynet.core import context, crypto
from safetynet.core.idnumbers import IdentityError, IdKind, parse_identity
from safetynet.core.masking import mask_account, mask_id_number, mask_phone
from safetynet.core.models import Job
from safetynet.core.permissions import require
from safetynet.core.services import change_log_write, job_fail, job_finish, job_progress, job_start
from safetynet.registry import choices as c
from safetynet.registry.models import ChangeReport, Household, Membership, Person
from safetynet.registry.services import (
    PERSON_EDITABLE,
    HouseholdInput,
    MemberInput,
    PersonInput,
    _conflict,
    _household_sensitive,
    _next_number,
    _person_values,
    household_create,
    household_update,
    household_validate,
    member_add,
    member_update,
)

JOB_KIND = "household_import"
SHEET_NAME = "家庭成员"  # the sheet read when a workbook has several
CHUNK = 1000  # households per write transaction
HEADER_SEARCH_ROWS = 20  # a title row or two may stand above the header row
ZH, EN = "zh-hans", "en"


# --- the layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the layout: fixed English key, Chinese header, how its cells are read."""

    key: str
    header: str
    kind: str  # key / text / region / choice / bool / grade / date / digits
    required: bool = False  # the header must have this column
    household: bool = False  # a household fact: given once per household (on the head's row)
    choices: Any = None  # a TextChoices class, or a list of (code, label)
    aliases: tuple[str, ...] = ()  # other headers seen in real files
    note: str = ""  # for the template's instructions sheet and the docs


# fmt: off
COLUMNS: tuple[Column, ...] = (
    Column("household_key", "户编号", "key", required=True, aliases=("户号",),
           note="同一户的各行填同一编号；只在本文件内有意义"),
    Column("region_code", "区划代码", "region", required=True, household=True, aliases=("村社区代码", "行政区划代码"),
           note="12位村/社区区划代码；户主行必填，其他行可空或填相同值"),
    Column("address", "居住地址", "text", required=True, household=True, aliases=("家庭住址", "地址"),
           note="户主行必填，其他行可空或填相同值"),
    Column("relation", "与户主关系", "choice", required=True, choices=c.Relation, aliases=("关系",),
           note="本人、配偶、子女、父母、兄弟姐妹、祖父母/外祖父母、孙子女/外孙子女、其他（也可写“户主”“妻子”“儿子”等）；"
                "每户有且只有一名“本人”"),
    Column("name", "姓名", "text", required=True),
    Column("id_kind", "证件类型", "choice", choices=IdKind.CHOICES,
           note="居民身份证（默认）、港澳台居民居住证、外国人永久居留身份证、平台临时标识"),
    Column("id_number", "证件号码", "digits", required=True, aliases=("身份证号", "身份证号码", "公民身份号码"),
           note="18位（或旧版15位）；请把该列设为“文本”格式，否则 Excel 会丢失末几位"),
    Column("birth_date", "出生日期", "date", note="可空（由证件号码得出）；填写时须与证件号码一致，如 1970-03-05"),
    Column("sex", "性别", "choice", choices=c.Sex, note="男/女；可空（由证件号码得出）"),
    Column("hukou_type", "户口性质", "choice", required=True, choices=c.HukouType,
           note="城镇户口/农村户口；户主的户口性质即家庭的户口性质"),
    Column("hukou_address", "户籍地址", "text"),
    Column("phone", "联系电话", "digits", aliases=("电话", "手机号码"), note="户主的电话同时作为家庭的联系电话"),
    Column("disability_category", "残疾类别", "choice", choices=c.DisabilityCategory,
           note="无、视力残疾、听力残疾、言语残疾、肢体残疾、智力残疾、精神残疾、多重残疾"),
    Column("disability_grade", "残疾等级", "grade", note="1-4（也可写“二级”）；有残疾类别时必填"),
    Column("serious_illness", "患重特大疾病", "bool", note="是/否"),
    Column("illness_name", "疾病名称", "text"),
    Column("work_capacity", "劳动能力", "choice", choices=c.WorkCapacity,
           note="有劳动能力（默认）、部分丧失劳动能力、无劳动能力"),
    Column("schooling", "在学情况", "choice", choices=c.Schooling,
           note="不在学（默认）、学前教育、小学、初中、普通高中、中职/高职、本科/专科、研究生"),
    Column("full_time_student", "全日制在校", "bool", note="是/否"),
    Column("employment", "就业状况", "choice", choices=c.Employment,
           note="单位就业、个体经营、灵活就业、务农、登记失业、未就业、退休、不适用（默认）"),
    Column("counted", "计入共同生活家庭成员", "bool", aliases=("是否计入",), note="是（默认）/否"),
    Column("exclusion_reason", "不计入原因", "choice", choices=c.ExclusionReason,
           note="不计入时必填：宗教教职人员、在监狱服刑、强制隔离戒毒、宣告失踪、义务兵、省级规定的其他情形"),
    Column("bank_name", "开户银行", "text", household=True, note="填在户主行"),
    Column("account_holder", "账户户名", "text", household=True, note="填在户主行"),
    Column("account_number", "银行账号", "digits", household=True, note="填在户主行；请设为“文本”格式"),
)

# Words seen in real household rosters, besides the codes and the labels of the choices.
SYNONYMS: dict[str, dict[str, str]] = {
    "relation": {"户主": "self", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse", "子": "child",
                 "女": "child", "儿子": "child", "女儿": "child", "长子": "child", "次子": "child", "长女": "child",
                 "次女": "child", "父亲": "parent", "母亲": "parent", "哥哥": "sibling", "弟弟": "sibling",
                 "姐姐": "sibling", "妹妹": "sibling", "祖父": "grandparent", "祖母": "grandparent",
                 "外祖父": "grandparent", "外祖母": "grandparent", "孙子": "grandchild", "孙女": "grandchild",
                 "外孙": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild"},
    "id_kind": {"身份证": "resident", "居住证": "hkmotw_permit", "外国人永久居留证": "foreign_pr",
                "永居证": "foreign_pr"},
    "sex": {"男性": "M", "女性": "F"},
    "hukou_type": {"城镇": "urban", "农村": "rural", "非农业户口": "urban", "农业户口": "rural", "非农业": "urban",
                   "农业": "rural"},
    "disability_category": {"视力": "visual", "听力": "hearing", "言语": "speech", "肢体": "physical",
                            "智力": "intellectual", "精神": "mental", "多重": "multiple"},
    "work_capacity": {"完全丧失劳动能力": "none", "丧失劳动能力": "none"},
    "schooling": {"幼儿园": "preschool", "高中": "senior", "中专": "vocational", "职高": "vocational",
                  "技校": "vocational", "高职": "vocational", "大专": "undergraduate", "专科": "undergraduate",
                  "本科": "undergraduate", "大学": "undergraduate"},
    "exclusion_reason": {"宗教教职人员": "clergy", "服刑": "prisoner", "戒毒": "drug_rehab", "失踪": "missing",
                         "义务兵": "conscript"},
}
# fmt: on

COLUMN_BY_KEY = {col.key: col for col in COLUMNS}
HOUSEHOLD_KEYS = tuple(col.key for col in COLUMNS if col.household)
SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone, "account_number": mask_account}


def _max_length(model: type[models.Model], name: str) -> int:
    return cast(models.Field, model._meta.get_field(name)).max_length or 0


# The model field that limits each free-text column (checked before anything is written).
_MAX_LENGTH = {
    "name": _max_length(Person, "name"), "hukou_address": _max_length(Person, "hukou_address"),
    "illness_name": _max_length(Person, "illness_name"), "address": _max_length(Household, "address"),
    "bank_name": _max_length(Household, "bank_name"), "account_holder": _max_length(Household, "account_holder"),
    "household_key": 50,
}  # fmt: skip
_TRUE = {"是", "y", "yes", "true", "1", "有", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "无", "×", "✗"}
_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$|^(\d{4})(\d{2})(\d{2})$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _options(col: Column) -> Iterable[tuple[str, Any]]:
    return col.choices.choices if hasattr(col.choices, "choices") else col.choices


def _choice_key(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).lower()


def _labels(col: Column) -> dict[str, str]:
    with translation.override(ZH):
        return {code: str(label) for code, label in _options(col)}


# --- results ---------------------------------------------------------------------------------


@dataclass
class RowError:
    """One line of the error file: which row, which column, what is wrong (Chinese and English)."""

    row: int | None  # the row number in the file (Excel row / CSV record); None: the whole file
    key: str  # the column's English key ("" for the whole file)
    reason: str
    reason_en: str
    value: str = ""  # the value as read, masked for identity numbers, phones and accounts

    @property
    def header(self) -> str:
        column = COLUMN_BY_KEY.get(self.key)
        return column.header if column else self.key


@dataclass
class ImportResult:
    job: Job
    counts: dict[str, int]
    errors: list[RowError]
    sheet: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows not imported, counting an unreadable file as one."""
        return self.counts["rows_rejected"] + self.counts["file_rejected"]


class _Problem(Exception):
    """A cell or a file that cannot be read: a message template and its parameters."""

    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.params = params


def _both(message: Any, params: dict | None = None) -> tuple[str, str]:
    """The Chinese and the English text of a message template."""
    texts = []
    for lang in (ZH, EN):
        with translation.override(lang):
            texts.append(str(message) % params if params else str(message))
    return texts[0], texts[1]


# --- reading cells ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell as text; None when blank. Whole numbers lose their ".0"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().lstrip("'").strip()
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def _read_digits(value: Any, col: Column) -> str | None:
    """Identity numbers, phones, accounts: text, or a number Excel has kept exactly."""
    if _is_number(value):
        exact = float(value).is_integer() and abs(value) < 2**53
        if exact and not (col.key == "id_number" and value >= 10**15):
            return str(int(value))
        raise _Problem(
            _("%(h)s被 Excel 存成了数字（%(v)s），末几位已丢失：请把该列设为“文本”格式后重新填写"),
            h=col.header, v=repr(value),
        )  # fmt: skip
    text = _text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    if _SCIENTIFIC.match(text):
        raise _Problem(
            _("%(h)s显示为科学计数法（%(v)s），末几位已丢失：请把该列设为“文本”格式后重新填写"),
            h=col.header,
            v=text,
        )
    return text


def _read_region(value: Any, col: Column) -> str | None:
    text = _text(value)
    if text is not None and not (len(text) == 12 and text.isdigit()):
        raise _Problem(_("区划代码必须是12位数字：%(v)s"), v=text)
    return text


def _read_bool(value: Any, col: Column) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise _Problem(_("%(h)s只能填“是”或“否”：%(v)s"), h=col.header, v=text)


def _read_grade(value: Any, col: Column) -> int | None:
    if _is_number(value):
        if float(value).is_integer() and 1 <= value <= 4:
            return int(value)
        raise _Problem(_("残疾等级必须是1到4的整数：%(v)s"), v=_text(value))
    text = _text(value)
    if text is None:
        return None
    grade = _GRADES.get(text.removesuffix("级"))
    if grade is None:
        raise _Problem(_("残疾等级必须是1到4级（如“2”或“二级”），不能是“%(v)s”"), v=text)
    return grade


def _read_date(value: Any, col: Column) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _is_number(value):
        if 1 <= value < 2958466:  # an Excel date serial in a cell without a date format
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = _text(value)  # 19700305 typed as a number
    text = _text(value)
    if text is None:
        return None
    match = _DATE_TEXT.match(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(g) for g in match.groups() if g is not None)
        return dt.date(year, month, day)
    except ValueError:
        raise _Problem(_("%(h)s无法识别：%(v)s（请写成 1970-03-05）"), h=col.header, v=text) from None


def _read_text(value: Any, col: Column) -> str | None:
    text = _text(value)
    most = _MAX_LENGTH.get(col.key)
    if text is not None and most is not None and len(text) > most:
        raise _Problem(_("%(h)s过长：最多 %(n)s 个字，实际 %(m)s 个"), h=col.header, n=most, m=len(text))
    return text


_READERS: dict[str, Callable[[Any, Column], Any]] = {
    "key": _read_text, "text": _read_text, "region": _read_region, "bool": _read_bool, "grade": _read_grade,
    "date": _read_date, "digits": _read_digits,
}  # fmt: skip


# --- reading files -------------------------------------------------------------------------------


@dataclass
class _Table:
    rows: Iterator[tuple[int, list[Any]]]  # (row number in the file, cells), read lazily
    sheet: str
    notes: list[tuple[str, str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2


def _read_file(data: bytes, filename: str) -> _Table:
    if not data:
        raise _Problem(_("文件为空（0 字节）"))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _Problem(_("不支持旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入"))
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _Problem(_("文件扩展名是 .xlsx，但内容不是有效的 Excel 文件"))
    return _read_csv(data)


def _read_xlsx(data: bytes) -> _Table:
    """The sheet named 家庭成员, else the first visible sheet (python-calamine)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        names = [m.name for m in sheets]
        visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible] or names
        if not names:
            raise _Problem(_("Excel 文件中没有工作表"))
        name = SHEET_NAME if SHEET_NAME in names else visible[0]
        sheet = book.get_sheet_by_name(name)
        merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    except _Problem:
        raise
    except Exception as exc:  # calamine has its own error types for damaged or encrypted files
        raise _Problem(_("无法读取 Excel 文件（文件损坏或已加密）：%(e)s"), e=str(exc)[:200]) from None
    # iter_rows starts at row 1 but at the sheet's first used column: put the blank columns back
    pad = [None] * (sheet.start[1] if sheet.start else 0)
    rows = ((number, pad + cells) for number, cells in enumerate(sheet.iter_rows(), 1))
    notes = [_both(_("读取的工作表：“%(s)s”"), {"s": name})]
    others = [n for n in names if n != name]
    if others:
        notes.append(_both(_("已忽略其他工作表：%(s)s"), {"s": "、".join(others)}))
    return _Table(rows=rows, sheet=name, notes=notes, merged=merged)


def _read_csv(data: bytes) -> _Table:
    """UTF-8 (with or without BOM) or GBK/GB18030; comma- or tab-separated."""
    from safetynet.regions.services import decode_csv_bytes

    try:
        text = decode_csv_bytes(data)
    except ValueError:
        raise _Problem(_("文件编码无法识别：请使用 UTF-8 或 GBK 编码的 CSV，或 .xlsx 文件")) from None
    first = text.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter="\t" if first.count("\t") > first.count(",") else ","
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate(reader, 1)
        except csv.Error as exc:
            raise _Problem(_("CSV 文件第 %(n)s 行格式错误：%(e)s"), n=reader.line_num, e=str(exc)) from None

    return _Table(rows=rows(), sheet="CSV", notes=[_both(_("读取的文件类型：CSV"))])


def _header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).strip()
    return re.sub(r"\(.*?\)|\s|\*", "", text).lower()  # “证件号码（必填）*” → 证件号码


_HEADERS = {_header_key(name): col.key for col in COLUMNS for name in (col.header, col.key, *col.aliases)}


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- one import ----------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # the cells read, blank cells left out


@dataclass
class _Group:
    """The rows of one household in the file, and what the import finds out about them."""

    key: str
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    data: HouseholdInput | None = None
    head: _Row | None = None
    source: dict[str, _Row] = field(default_factory=dict)  # the row that gave each household fact
    region: Any = None
    identities: list = field(default_factory=list)
    persons: list[Person | None] = field(default_factory=list)  # already on file, by member
    existing: Household | None = None  # the household on file this one updates
    current: dict[int, Membership] = field(default_factory=dict)  # its current members by person
    in_scope: bool = False  # the importer may change it
    outcome: str = ""  # created / changed / unchanged / rejected
    row_outcomes: dict[int, str] = field(default_factory=dict)
    size: int = 0

    def release(self) -> None:
        """Keep only the outcome once written: a 1M-row file must not stay in memory twice."""
        self.size = len(self.rows)
        self.rows, self.identities, self.persons, self.source, self.current = [], [], [], {}, {}
        self.data = self.head = self.existing = None


class _Import:
    def __init__(self, *, actor, data: bytes, filename: str, reason: str, job: Job) -> None:
        self.actor = actor
        self.actor_or_none = actor if getattr(actor, "pk", None) else None
        self.data = data
        self.filename = filename
        self.reason = reason
        self.job = job
        self.today = timezone.localdate()
        self.columns: dict[int, Column] = {}
        self.errors: list[RowError] = []
        self.notes: list[tuple[str, str]] = []
        self.sheet = ""
        self.lookups: dict[str, dict[str, str]] = {}
        self.labels: dict[str, dict[str, str]] = {}
        for col in COLUMNS:
            if col.kind == "choice":
                self.labels[col.key] = _labels(col)
                lookup = {_choice_key(code): code for code in self.labels[col.key]}
                lookup |= {_choice_key(label): code for code, label in self.labels[col.key].items()}
                lookup |= {_choice_key(word): code for word, code in SYNONYMS.get(col.key, {}).items()}
                self.lookups[col.key] = lookup
        self.regions: dict[str, Any] = {}  # region rows, looked up once per import

    # ---- reading ----------------------------------------------------------------------------

    def read(self) -> list[_Group]:
        table = _read_file(self.data, self.filename)
        self.sheet = table.sheet
        self.notes.extend(table.notes)
        head = list(islice(table.rows, HEADER_SEARCH_ROWS))
        index = self._find_header(head)
        merged = self._merged(table.merged, head[index][0])
        groups: dict[str, _Group] = {}
        loose: list[_Group] = []  # rows without a household key: rejected one by one
        for number, cells in chain(head[index + 1 :], table.rows):
            parsed = self._parse_row(number, cells)
            if parsed is None:
                continue
            row, errors = parsed
            key = row.values.get("household_key")
            if not key:
                group = _Group(key="")
                loose.append(group)
            elif key in groups:
                group = groups[key]
            else:
                group = groups[key] = _Group(key=key)
            group.rows.append(row)
            group.errors.extend(errors)
            for column_key, message in merged.get(number, []):
                group.errors.append(self._error(row, column_key, *message))
        if not groups and not loose:
            raise _Problem(_("文件中没有数据行（只有表头或全为空行）"))
        return [*groups.values(), *loose]

    def _find_header(self, rows: list[tuple[int, list[Any]]]) -> int:
        for index, (number, cells) in enumerate(rows):
            keys = [_HEADERS.get(_header_key(cell)) for cell in cells]
            if sum(k is not None for k in keys) < 3:
                continue
            seen: dict[str, int] = {}
            for position, key in enumerate(keys):
                if key is None:
                    continue
                if key in seen:
                    raise _Problem(
                        _("表头中“%(h)s”列出现了两次（%(a)s 列和 %(b)s 列）"),
                        h=COLUMN_BY_KEY[key].header, a=_column_letters(seen[key]), b=_column_letters(position),
                    )  # fmt: skip
                seen[key] = position
                self.columns[position] = COLUMN_BY_KEY[key]
            missing = [col.header for col in COLUMNS if col.required and col.key not in seen]
            if missing:
                raise _Problem(_("缺少必需的列：%(c)s（表头在第 %(r)s 行）"), c="、".join(missing), r=number)
            unknown = [
                str(cell) for cell, key in zip(cells, keys, strict=True) if key is None and _text(cell)
            ]
            if unknown:
                self.notes.append(_both(_("已忽略不认识的列：%(c)s"), {"c": "、".join(unknown)}))
            return index
        raise _Problem(
            _("找不到表头：前 %(n)s 行中没有一行含有“户编号”“姓名”“证件号码”等列名（可下载导入模板对照）"),
            n=HEADER_SEARCH_ROWS,
        )

    def _merged(self, ranges: list[tuple[int, int, int, int]], header: int) -> dict[int, list]:
        """Rows touched by merged cells, with the message for each: a merge hides values."""
        touched: dict[int, list] = {}
        for r1, c1, r2, c2 in ranges:
            ref = f"{_column_letters(c1)}{r1 + 1}:{_column_letters(c2)}{r2 + 1}"
            if r2 + 1 < header:
                continue  # a title above the header
            if r1 + 1 <= header:
                raise _Problem(_("表头有合并单元格（%(ref)s）：请使用一行表头，每列一个列名"), ref=ref)
            keys = [self.columns[i].key for i in range(c1, c2 + 1) if i in self.columns]
            if not keys:
                continue  # only columns the import does not read (a remarks column)
            message = _both(_("单元格 %(ref)s 是合并单元格：请取消合并，并在每一行分别填写"), {"ref": ref})
            for r in range(r1 + 1, r2 + 2):
                touched.setdefault(r, []).append((keys[0], message))
        return touched

    def _parse_row(self, number: int, cells: list[Any]) -> tuple[_Row, list[RowError]] | None:
        """The row's cells read by column; None for a blank row."""
        row = _Row(number=number, values={})
        errors: list[RowError] = []
        for position, col in self.columns.items():
            cell = cells[position] if position < len(cells) else None
            if cell is None or cell == "":
                continue
            try:
                if col.kind == "choice":
                    text = _text(cell)
                    if text is None:
                        continue
                    value = self.lookups[col.key].get(_choice_key(text))
                    if value is None:
                        options = "、".join(label for code, label in self.labels[col.key].items() if code)
                        raise _Problem(
                            _("“%(v)s”不是有效的%(h)s，可填写：%(o)s"), v=text, h=col.header, o=options
                        )
                else:
                    value = _READERS[col.kind](cell, col)
            except _Problem as problem:
                errors.append(
                    self._error(row, col.key, *_both(problem.message, problem.params), value=_text(cell))
                )
                continue
            if value is not None:
                row.values[col.key] = value
        if not row.values and not errors:
            return None
        if not row.values.get("household_key") and "household_key" not in {e.key for e in errors}:
            errors.append(self._error(row, "household_key", *_both(_("户编号不能为空"))))
        if row.values.get("relation") is None and "relation" not in {e.key for e in errors}:
            errors.append(self._error(row, "relation", *_both(_("与户主关系不能为空"))))
        if row.values.get("id_kind") == IdKind.PLATFORM and not row.values.get("id_number"):
            errors.append(self._error(row, "id_number", *_both(
                _("导入的每个人都要有证件号码（重复导入时按证件号码识别）；暂无证件号码的人员请在家庭页面登记")
            )))  # fmt: skip
        return row, errors

    def _error(
        self, row: _Row | None, key: str, reason: str, reason_en: str, value: str | None = None
    ) -> RowError:
        """An error line; identity numbers, phones and accounts are masked in the value and the text."""
        if value is None:
            value = self._display(key, row.values.get(key)) if row is not None else ""
        if key in SENSITIVE and value:
            normalised = value.upper().replace(" ", "")
            masked = SENSITIVE[key](normalised)
            reason, reason_en = (
                t.replace(normalised, masked).replace(value, masked) for t in (reason, reason_en)
            )
            value = masked
        return RowError(
            row=row.number if row else None, key=key, reason=reason, reason_en=reason_en, value=value
        )

    def _display(self, key: str, value: Any) -> str:
        if value is None:
            return ""
        if key in self.labels:
            return self.labels[key].get(value, str(value))
        return _text(value) or ""

    # ---- households ---------------------------------------------------------------------------

    def assemble(self, group: _Group) -> None:
        """The household input from the group's rows; household facts given twice must agree."""
        rows = group.rows
        group.head = next((r for r in rows if r.values.get("relation") == c.Relation.SELF), rows[0])
        facts: dict[str, Any] = {}
        for key in HOUSEHOLD_KEYS:
            for row in [group.head, *(r for r in rows if r is not group.head)]:
                value = row.values.get(key)
                if value is None:
                    continue
                if key not in facts:
                    facts[key], group.source[key] = value, row
                elif value != facts[key]:
                    group.errors.append(self._error(row, key, *_both(
                        _("与本户第 %(r)s 行填写的“%(v)s”不一致：一户只能有一个%(h)s"),
                        {"r": group.source[key].number, "v": _text(facts[key]), "h": COLUMN_BY_KEY[key].header},
                    )))  # fmt: skip
        if "region_code" not in facts and not any(e.key == "region_code" for e in group.errors):
            message = _both(_("区划代码不能为空：请在户主行填写家庭所在村/社区的12位区划代码"))
            group.errors.append(self._error(group.head, "region_code", *message))
        head = group.head.values
        group.data = HouseholdInput(
            region_code=facts.get("region_code", ""), address=facts.get("address", ""),
            hukou_type=head.get("hukou_type", ""), members=[self._member(row) for row in rows],
            phone=head.get("phone", ""), bank_name=facts.get("bank_name", ""),
            account_holder=facts.get("account_holder", ""), account_number=facts.get("account_number", ""),
        )  # fmt: skip

    @staticmethod
    def _member(row: _Row) -> MemberInput:
        v = row.values
        person = PersonInput(
            name=v.get("name", ""), id_number=v.get("id_number", ""), id_kind=v.get("id_kind", IdKind.RESIDENT),
            birth_date=v.get("birth_date"), sex=v.get("sex", ""), phone=v.get("phone", ""),
            hukou_type=v.get("hukou_type", ""), hukou_address=v.get("hukou_address", ""),
            disability_category=v.get("disability_category", ""), disability_grade=v.get("disability_grade"),
            serious_illness=v.get("serious_illness", False), illness_name=v.get("illness_name", ""),
            work_capacity=v.get("work_capacity", c.WorkCapacity.FULL),
            schooling=v.get("schooling", c.Schooling.NOT_IN_SCHOOL),
            full_time_student=v.get("full_time_student", False),
            employment=v.get("employment", c.Employment.NOT_APPLICABLE),
        )  # fmt: skip
        return MemberInput(
            person=person, relation=v.get("relation", ""), counted=v.get("counted", True),
            exclusion_reason=v.get("exclusion_reason", ""),
        )  # fmt: skip

    def duplicates(self, groups: list[_Group]) -> None:
        """The same person on several rows of the file: each of those rows is reported."""
        seen: dict[str, list[tuple[_Group, _Row]]] = {}
        for group in groups:
            for row in group.rows:
                number = row.values.get("id_number")
                if not number:
                    continue
                try:
                    number = parse_identity(
                        row.values.get("id_kind", IdKind.RESIDENT), number, today=self.today
                    ).number
                except IdentityError:
                    continue
                seen.setdefault(number, []).append((group, row))
        for rows in seen.values():
            if len(rows) > 1:
                numbers = "、".join(str(row.number) for _group, row in rows)
                for group, row in rows:
                    group.errors.append(self._error(row, "id_number", *_both(
                        _("同一证件号码在文件中出现了 %(n)s 次（第 %(rows)s 行）：一个人只能登记一次"),
                        {"n": len(rows), "rows": numbers},
                    )))  # fmt: skip

    def _locate(self, group: _Group, key: str) -> tuple[_Row, str]:
        """The row and column a service's error key points at."""
        assert group.head is not None
        if key.startswith("members."):
            _prefix, index, name = key.split(".", 2)
            return group.rows[int(index)], name
        if key == "members":
            return group.head, "relation"
        if key in group.source:
            return group.source[key], key
        return group.head, "" if key == NON_FIELD_ERRORS else key

    def _service_errors(self, group: _Group, check: Callable[[], dict[str, list[str]]]) -> list[RowError]:
        """Run a check in Chinese and, when it finds something, again in English; pair the two."""
        with translation.override(ZH):
            found = check()
        if not found:
            return []
        with translation.override(EN):
            english = check()
        unreadable = {(e.row, e.key) for e in group.errors}
        out: list[RowError] = []
        for key, messages in found.items():
            row, name = self._locate(group, key)
            if (row.number, name) in unreadable:
                continue  # the cell could not be read: that message says it better
            others = english.get(key, [])
            for i, message in enumerate(messages):
                out.append(self._error(row, name, message, others[i] if i < len(others) else message))
        return out

    def validate(self, group: _Group) -> None:
        data = group.data
        assert data is not None

        def check() -> dict[str, list[str]]:
            region, identities, errors = household_validate(actor=self.actor, data=data, regions=self.regions)
            group.region, group.identities = region, identities
            return errors

        group.errors.extend(self._service_errors(group, check))

    # ---- the database -------------------------------------------------------------------------

    def match(self, groups: list[_Group]) -> None:
        """Persons of a chunk already on file; households whose head is one of them, with their
        current members and whether the importer may change them (four queries a chunk)."""
        where: dict[str, tuple[_Group, int]] = {}
        for group in groups:
            group.persons = [None] * len(group.rows)
            for i, identity in enumerate(group.identities):
                if identity is not None and identity.number:
                    where[crypto.blind_index(identity.number)] = (group, i)
        found = list(Person.objects.filter(id_hash__in=list(where))) if where else []
        for person in found:
            group, i = where[person.id_hash]
            group.persons[i] = person
        heads = {
            m.person_id: m.household
            for m in Membership.objects.filter(
                person__in=found, relation=c.Relation.SELF, counted=True, end_date__isnull=True
            ).select_related("household", "household__head")
        } if found else {}  # fmt: skip
        existing: dict[int, _Group] = {}
        for group in groups:
            assert group.head is not None
            head = group.persons[group.rows.index(group.head)]
            if head is not None and head.pk in heads and not group.errors:
                group.existing = heads[head.pk]
                existing[group.existing.pk] = group
        if not existing:
            return
        for pk in (
            Household.objects.restrict(self.actor, "change")
            .filter(pk__in=existing)
            .values_list("pk", flat=True)
        ):
            existing[pk].in_scope = True
        for membership in Membership.objects.filter(
            household__in=existing, end_date__isnull=True
        ).select_related("person"):
            existing[membership.household_id].current[membership.person_id] = membership

    def check_new(self, group: _Group) -> None:
        """A person already counted in another household cannot be counted here (``_add_member``)."""
        data = group.data
        assert data is not None
        known = [p for p in group.persons if p is not None]
        if not known:
            return
        busy = set(
            Membership.objects.filter(person__in=known, counted=True, end_date__isnull=True).values_list(
                "person_id", flat=True
            )
        )

        def check() -> dict[str, list[str]]:
            errors: dict[str, list[str]] = {}
            for i, (member, person) in enumerate(zip(data.members, group.persons, strict=True)):
                if person is not None and member.counted and person.pk in busy:
                    errors.update(_conflict(self.actor, person, f"members.{i}.id_number").message_dict)
            return errors

        group.errors.extend(self._service_errors(group, check))

    def build(self, group: _Group) -> tuple[list[Person], Household, list[Membership]]:
        """The rows ``household_create`` would write, checked field by field; nothing saved."""
        assert group.data is not None and group.region is not None
        people: list[Person] = []
        errors: dict[str, list[str]] = {}
        for i, (member, identity, known) in enumerate(
            zip(group.data.members, group.identities, group.persons, strict=True)
        ):
            if known is not None:  # as in ``_add_member``: the record is reused as it is
                known.region_code = group.region.code
                people.append(known)
                continue
            person = Person(
                created_by=self.actor_or_none, job=self.job, region_code=group.region.code,
                **_person_values(member.person, identity),
            )  # fmt: skip
            try:
                person.clean_fields(exclude=["id_enc", "created_by", "job"])
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors.setdefault(f"members.{i}.{key}", []).extend(messages)
            people.append(person)
        if errors:
            raise ValidationError(errors)
        head = next(
            p for p, m in zip(people, group.data.members, strict=True) if m.relation == c.Relation.SELF
        )
        household = Household(
            region=group.region, region_code=group.region.code, address=group.data.address.strip(),
            hukou_type=group.data.hukou_type, bank_name=group.data.bank_name,
            account_holder=group.data.account_holder, head=head, head_name=head.name,
            size=sum(1 for m in group.data.members if m.counted), created_by=self.actor_or_none, job=self.job,
            **_household_sensitive(group.data),
        )  # fmt: skip
        memberships = [
            Membership(
                household=household,
                person=person,
                relation=m.relation,
                counted=m.counted,
                exclusion_reason="" if m.counted else m.exclusion_reason,
                start_date=self.today,
                created_by=self.actor_or_none,
                job=self.job,
            )  # fmt: skip
            for m, person in zip(group.data.members, people, strict=True)
        ]
        return people, household, memberships

    def write_new(self, groups: list[_Group]) -> None:
        """New households of a chunk in one transaction; on a constraint, one by one through
        ``household_create``, which names the conflict."""
        built = []
        for group in groups:
            try:
                built.append((group, *self.build(group)))
            except ValidationError:
                group.errors.extend(self._service_errors(group, partial(_errors_of, self.build, group)))
        if not built:
            return
        try:
            with transaction.atomic():
                self._bulk(built)
        except IntegrityError:
            for group, *_rest in built:
                self.create_one(group)
            return
        for group, *_rest in built:
            group.outcome = "created"
            group.row_outcomes = {r.number: "created" for r in group.rows}

    def _bulk(self, built: list[tuple[_Group, list[Person], Household, list[Membership]]]) -> None:
        sequence: dict[str, int] = {}  # household numbers: the next of each village, then counting up
        for _group, _people, household, _members in built:
            code = household.region_code
            if code not in sequence:
                sequence[code] = int(_next_number(code)[-5:])
            household.number = f"H{code}{sequence[code]:05d}"
            sequence[code] += 1
        people = [p for _g, group_people, _h, _m in built for p in group_people]
        known = [p for p in people if p.pk is not None]  # before bulk_create gives the others a pk
        _insert_many(Person, [p for p in people if p.pk is None], ids=True)
        Person.objects.bulk_update(known, ["region_code"])
        for person in known:  # rare: a person who left a household joins a new one
            change_log_write(actor=self.actor, action="update", obj=person, after={"region_code": person.region_code},
                             reason=self.reason)  # fmt: skip
        households = [household for _g, _p, household, _m in built]
        for _group, group_people, household, members in built:
            household.head_id = next(
                p.pk for p, m in zip(group_people, members, strict=True) if m.relation == "self"
            )
        _insert_many(Household, households, ids=True)
        memberships = [m for _g, _p, _h, members in built for m in members]
        for membership in memberships:
            membership.household_id, membership.person_id = membership.household.pk, membership.person.pk
        _insert_many(Membership, memberships)
        with translation.override(ZH):
            reason = self.reason or str(_("新建家庭档案"))
        _insert_many(ChangeReport, [
            ChangeReport(
                household=household, kind=c.ChangeKind.CREATED, reason=reason,
                after={"members": [p.name for p in group_people]}, created_by=self.actor_or_none,
                actor_name=self.actor.get_username() if self.actor_or_none else "system", job=self.job,
            )
            for _group, group_people, household, _members in built
        ])  # fmt: skip

    def create_one(self, group: _Group) -> None:
        """One household through ``household_create`` (after a chunk hit a constraint)."""
        assert group.data is not None
        since = timezone.now()
        try:
            with transaction.atomic():
                household = household_create(actor=self.actor, data=group.data, reason=self.reason)
                self._stamp(household, since)
        except ValidationError:
            create = lambda: household_create(actor=self.actor, data=group.data, reason=self.reason)  # noqa: E731
            group.errors.extend(self._service_errors(group, lambda: _rolled_back(create)))
            return
        group.outcome = "created"
        group.row_outcomes = {r.number: "created" for r in group.rows}

    def _stamp(self, household: Household, since: dt.datetime) -> None:
        """The job's id on the rows the services just created (they do not set it themselves)."""
        fresh = {"job__isnull": True, "created_at__gte": since}
        Household.objects.filter(pk=household.pk, **fresh).update(job=self.job)
        Membership.objects.filter(household=household, **fresh).update(job=self.job)
        ChangeReport.objects.filter(household=household, **fresh).update(job=self.job)
        Person.objects.filter(memberships__household=household, **fresh).update(job=self.job)

    # ---- households already on file -----------------------------------------------------------

    def update_existing(self, group: _Group) -> None:
        """Compare with the household on file; the differences go through the services in one
        transaction. An unchanged household costs no query here."""
        try:
            plan = self._plan(group)
        except ValidationError:
            group.errors.extend(self._service_errors(group, lambda: _errors_of(self._plan, group)))
            return
        group.row_outcomes = {row.number: "unchanged" for row in group.rows}
        group.outcome = "unchanged"
        if not any(plan):
            return
        since = timezone.now()
        try:
            with transaction.atomic():
                outcomes = self._write_changes(group, *plan)
                assert group.existing is not None
                self._stamp(group.existing, since)
        except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
            first = exc
            write = lambda: self._write_changes(group, *plan)  # noqa: E731
            group.errors.extend(self._service_errors(group, lambda: _rolled_back(write, first)))
            group.row_outcomes, group.outcome = {}, ""
            return
        group.row_outcomes.update(outcomes)
        group.outcome = "changed"

    def _plan(
        self, group: _Group
    ) -> tuple[dict[str, Any], list[tuple[int, Person, dict[str, Any]]], list[int]]:
        """What differs from the household on file: its own facts, members' facts, new members."""
        household = group.existing
        assert household is not None and group.data is not None and group.head is not None
        if not group.in_scope:
            head = group.persons[group.rows.index(group.head)]
            assert head is not None
            raise _conflict(self.actor, head, f"members.{group.rows.index(group.head)}.id_number")
        errors: dict[str, list[str]] = {}
        if group.data.region_code != household.region_code:
            errors["region_code"] = [
                str(
                    _("该家庭已登记在区划 %(c)s，导入不能变更所属区划（请办理迁移）")
                    % {"c": household.region_code}
                )
            ]
        person_changes: list[tuple[int, Person, dict[str, Any]]] = []
        additions: list[int] = []
        for i, (row, person) in enumerate(zip(group.rows, group.persons, strict=True)):
            membership = group.current.get(person.pk) if person is not None else None
            if membership is None:
                additions.append(i)
                continue
            found, refused = self._person_changes(row, membership)
            for key, message in refused.items():
                errors.setdefault(f"members.{i}.{key}", []).append(message)
            if found:
                person_changes.append((i, membership.person, found))
        if errors:
            raise ValidationError(errors)
        return self._household_changes(group, household), person_changes, additions

    def _write_changes(
        self,
        group: _Group,
        changes: dict[str, Any],
        person_changes: list[tuple[int, Person, dict[str, Any]]],
        additions: list[int],
    ) -> dict[int, str]:
        household = group.existing
        assert household is not None and group.data is not None and group.head is not None
        outcomes: dict[int, str] = {}
        if changes:
            household_update(actor=self.actor, household=household, reason=self.reason, changes=changes)
            outcomes[group.head.number] = "changed"
        for i, person, found in person_changes:
            try:
                member_update(actor=self.actor, person=person, reason=self.reason, changes=found)
            except ValidationError as exc:
                raise ValidationError({f"members.{i}.{k}": v for k, v in exc.message_dict.items()}) from None
            outcomes[group.rows[i].number] = "changed"
        for i in additions:
            member = group.data.members[i]
            try:
                member_add(actor=self.actor, household=household, member=member, reason=self.reason)
            except ValidationError as exc:
                raise ValidationError(
                    {k.replace("members.0.", f"members.{i}.", 1): v for k, v in exc.message_dict.items()}
                ) from None
            outcomes[group.rows[i].number] = "created"
        return outcomes

    @staticmethod
    def _household_changes(group: _Group, household: Household) -> dict[str, Any]:
        """Household facts the file gives that differ from the record (a blank cell changes nothing)."""
        assert group.data is not None and group.head is not None
        given: dict[str, Any] = {
            key: getattr(group.data, key)
            for key in ("address", "bank_name", "account_holder")
            if key in group.source
        }
        given["hukou_type"] = group.head.values.get("hukou_type")
        changes = {k: v for k, v in given.items() if v is not None and v != getattr(household, k)}
        if group.head.values.get("phone") and group.data.phone != _plain(household.phone_enc):
            changes["phone"] = group.data.phone
        if "account_number" in group.source and group.data.account_number != _plain(household.account_enc):
            changes["account_number"] = group.data.account_number
        return changes

    def _person_changes(self, row: _Row, membership: Membership) -> tuple[dict[str, Any], dict[str, str]]:
        """A member's facts that differ from the record (blank cells change nothing), and the
        differences an import does not make: relation, counting, birth date and sex."""
        person, values = membership.person, row.values
        changes = {k: values[k] for k in PERSON_EDITABLE if k in values and values[k] != getattr(person, k)}
        if (
            values.get("disability_category") == ""
            and "disability_grade" not in values
            and person.disability_grade
        ):
            changes["disability_grade"] = None  # “无” clears the grade too
        if values.get("phone") and values["phone"] != _plain(person.phone_enc):
            changes["phone"] = values["phone"]
        fixed: dict[str, Any] = {"relation": membership.relation, "counted": membership.counted}
        if not membership.counted:
            fixed["exclusion_reason"] = membership.exclusion_reason
        fixed |= {key: getattr(person, key) for key in ("birth_date", "sex") if getattr(person, key)}
        refused = {
            key: str(
                _("档案中的%(h)s是“%(v)s”：导入不修改%(h)s，请在家庭页面办理")
                % {"h": COLUMN_BY_KEY[key].header, "v": self._display(key, stored)}
            )
            for key, stored in fixed.items()
            if key in values and values[key] != stored
        }
        return changes, refused

    # ---- the whole run ------------------------------------------------------------------------

    def run(self, groups: list[_Group]) -> None:
        self.duplicates(groups)
        job_progress(job=self.job, done=0, total=len(groups))
        for start in range(0, len(groups), CHUNK):
            chunk = groups[start : start + CHUNK]
            for group in chunk:
                self.assemble(group)  # per chunk: a million rows' inputs need not exist at once
                if group.key:
                    self.validate(group)
                else:
                    group.identities = [None] * len(group.rows)
            self.match(chunk)
            fresh = []
            for group in chunk:
                if group.errors:
                    continue
                if group.existing is not None:
                    self.update_existing(group)
                    continue
                self.check_new(group)
                if not group.errors:
                    fresh.append(group)
            self.write_new(fresh)
            for group in chunk:
                self._settle(group)
            job_progress(job=self.job, done=start + len(chunk))

    def _settle(self, group: _Group) -> None:
        if group.errors:
            group.outcome = "rejected"
            group.row_outcomes = {r.number: "rejected" for r in group.rows}
            flagged = {e.row for e in group.errors}
            bad = "、".join(str(n) for n in sorted(n for n in flagged if n is not None))
            for row in group.rows:
                if row.number not in flagged:
                    message = _both(_("同户其他行有错误（第 %(rows)s 行），本户整户未导入"), {"rows": bad})
                    group.errors.append(self._error(row, "household_key", *message))
            self.errors.extend(group.errors)
        group.release()


def _insert_many(model: type[models.Model], objs: list[Any], *, ids: bool = False) -> None:
    """INSERT rows with one prepared statement (``executemany``): twice as fast as
    ``bulk_create``, whose batches on SQLite hold 999 parameters. With ``ids``, the rows get
    their primary keys: on SQLite from a range reserved in ``sqlite_sequence`` (the tables are
    AUTOINCREMENT, and that UPDATE takes the write lock), elsewhere through ``bulk_create``."""
    if not objs:
        return
    if ids and connection.vendor != "sqlite":
        model._default_manager.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    if ids:
        first = _reserve_ids(model, len(objs))
        for offset, obj in enumerate(objs):
            obj.pk = first + offset
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` fresh ids of an SQLite AUTOINCREMENT table, reserved for this transaction."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table])
        if cursor.rowcount == 0:  # the table never had a row
            cursor.execute(
                f"SELECT COALESCE(MAX({connection.ops.quote_name(model._meta.pk.column)}), 0) FROM {table}"
            )
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, cursor.fetchone()[0] + count],
            )
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        return cursor.fetchone()[0] - count + 1


def _plain(token: str) -> str:
    return crypto.decrypt(token) if token else ""


def _errors_of(fn: Callable[..., Any], *args: Any) -> dict[str, list[str]]:
    """The ValidationError a read-only check raises, as a dict (empty when it passes)."""
    try:
        fn(*args)
    except ValidationError as exc:
        return exc.message_dict
    return {}


class _RollBack(Exception):
    pass


def _rolled_back(write: Callable[[], Any], first: Exception | None = None) -> dict[str, list[str]]:
    """The errors a write raises, found again (in the active language) and never kept."""
    if isinstance(first, PermissionDenied):
        return {NON_FIELD_ERRORS: [str(_("您的角色不能修改已登记的家庭"))]}
    if isinstance(first, ObjectDoesNotExist):
        return {NON_FIELD_ERRORS: [str(_("该家庭不在您的管辖范围内"))]}
    try:
        with transaction.atomic():
            write()
            raise _RollBack
    except ValidationError as exc:
        return exc.message_dict
    except _RollBack:
        return {}


# --- entry points --------------------------------------------------------------------------------


def household_import(*, actor, file: IO[bytes], filename: str, reason: str = "") -> ImportResult:
    """Import households and their members from an .xlsx or .csv file (批量导入家庭及成员).

    Runs as a job. Returns the counts, the rejected rows (row, column, reason in Chinese and in
    English) and notes on what was read; the error file is kept with the job. Raises
    PermissionDenied for a role that may not file households; every other problem, down to an
    unreadable file, is reported rather than raised.
    """
    require(actor, Household, "add")
    limit = settings.SAFETYNET_IMPORT_MAX_BYTES
    data = file.read(limit + 1)
    size = _size(file, len(data))
    with translation.override(ZH):
        reason = (reason or "").strip() or str(_("批量导入：%(f)s") % {"f": filename})
    job = job_start(kind=JOB_KIND, actor=actor, params={"file": filename, "bytes": size, "reason": reason})
    work = _Import(actor=actor, data=data, filename=filename, reason=reason, job=job)
    groups: list[_Group] = []
    try:
        with translation.override(ZH), context.bound(job=job.pk):
            try:
                if size > limit:
                    raise _Problem(
                        _("文件大小为 %(s)s MB，超过导入上限 %(l)s MB：请拆分成几个文件分别导入"),
                        s=f"{size / 2**20:.1f}", l=f"{limit / 2**20:.0f}",
                    )  # fmt: skip
                groups = work.read()
                work.run(groups)
            except _Problem as problem:
                groups = []
                work.errors = [RowError(None, "", *_both(problem.message, problem.params))]
            counts = _counts(groups, work.errors)
            work.errors.sort(key=lambda e: e.row or 0)
            params = {
                **job.params, "sheet": work.sheet, "notes": work.notes,
                "file_error": [work.errors[0].reason, work.errors[0].reason_en] if counts["file_rejected"] else None,
                "first_errors": [[e.row, e.header, e.reason, e.reason_en] for e in work.errors[:20]],
            }  # fmt: skip
            if work.errors:
                params["errors_file"] = default_storage.save(
                    f"imports/job-{job.pk}-errors.xlsx", ContentFile(errors_xlsx(work.errors))
                )
            Job.objects.filter(pk=job.pk).update(params=params)
            job.params = params
            job_finish(job=job, counts=counts, digest=hashlib.sha256(data).hexdigest(), reason=reason)
    except Exception as exc:
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}")
        raise
    return ImportResult(
        job=job, counts=counts, errors=work.errors, sheet=work.sheet, notes=[zh for zh, _en in work.notes]
    )


def _size(file: IO[bytes], read: int) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        return max(read, file.seek(0, io.SEEK_END))
    except (OSError, ValueError):
        return read


def _counts(groups: list[_Group], errors: list[RowError]) -> dict[str, int]:
    counts = {
        "rows": sum(g.size or len(g.rows) for g in groups),
        "households": sum(1 for g in groups if g.key),
    }
    for outcome in ("created", "changed", "unchanged", "rejected"):
        counts[f"households_{outcome}"] = sum(1 for g in groups if g.key and g.outcome == outcome)
        counts[f"rows_{outcome}"] = sum(1 for g in groups for o in g.row_outcomes.values() if o == outcome)
    counts["errors"] = len(errors)
    counts["file_rejected"] = int(not groups and bool(errors))
    return counts


def errors_xlsx(errors: list[RowError]) -> bytes:
    """The error file: 行号, 字段, field, 原因, reason, 原始值 (sensitive values masked)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("错误")
    bold = book.add_format({"bold": True, "bg_color": "#EEEEEE"})
    titles = (("行号", 8), ("字段", 16), ("field", 18), ("原因", 60), ("reason", 60), ("原始值", 24))
    for i, (title, width) in enumerate(titles):
        sheet.write_string(0, i, title, bold)
        sheet.set_column(i, i, width)
    with translation.override(ZH):
        whole_file = str(_("整个文件"))
    for n, error in enumerate(errors, start=1):
        sheet.write(n, 0, error.row if error.row is not None else whole_file)
        for i, text in enumerate(
            (error.header, error.key, error.reason, error.reason_en, error.value), start=1
        ):
            sheet.write_string(n, i, text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(errors), 1), len(titles) - 1)
    book.close()
    return out.getvalue()


def error_file_open(job: Job) -> IO[bytes] | None:
    """The stored error file of an import job, or None."""
    name = (job.params or {}).get("errors_file")
    if not name or not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")


# fmt: off
EXAMPLE_ROWS = (
    ("1", "320111001001", "柳树村3组12号", "本人", "张伟", "居民身份证", "32011119700305003X", "1970-03-05", "男",
     "农村户口", "", "13812345678", "", "", "否", "", "有劳动能力", "不在学", "否", "务农", "是", "", "农村信用社", "张伟",
     "6228480012345678901"),
    ("1", "", "", "配偶", "李芳", "", "320111197208100029", "", "", "农村户口", "", "", "肢体残疾", "二级", "否", "",
     "部分丧失劳动能力", "", "", "未就业", "", "", "", "", ""),
    ("1", "", "", "子女", "张小明", "", "320111201209010016", "", "", "农村户口", "", "", "", "", "", "", "", "小学", "是",
     "", "", "", "", "", ""),
)
# fmt: on


def import_template(fmt: str) -> tuple[bytes, str, str]:
    """The downloadable template for "xlsx" or "csv": (content, content type, file name)."""
    headers = [col.header for col in COLUMNS]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(headers)
        # UTF-8 with a byte-order mark: Excel then opens it with the right encoding
        return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "household-import-template.csv"
    if fmt != "xlsx":
        raise ValueError(fmt)
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text_cells = book.add_format({"num_format": "@"})  # typed numbers stay text: no lost digits
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(SHEET_NAME)
    for i, col in enumerate(COLUMNS):
        sheet.write_string(0, i, col.header, bold)
        sheet.set_column(i, i, max(10, len(col.header) * 2 + 2), text_cells)
        labels = (
            list(_labels(col).values())
            if col.kind == "choice"
            else ["是", "否"]
            if col.kind == "bool"
            else []
        )
        if labels and all("," not in label for label in labels) and len(",".join(labels)) < 250:
            sheet.data_validation(
                1, i, 100_000, i, {"validate": "list", "source": labels, "error_type": "warning"}
            )
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("说明")
    for i, width in enumerate((22, 20, 8, 90)):
        notes.set_column(i, i, width)
    lines = [
        "每行一名人员；同一户的各行填同一个“户编号”。第一行是表头，请勿修改列名；不需要的非必填列可以删除。",
        "一户中有任何一行有错误，整户不导入；其他户照常导入。被拒绝的行列在错误文件中（行号、字段、原因）。",
        "户主的证件号码已在您辖区内登记为户主的，按已有家庭比对：不同之处记为户情变更，相同的行跳过，"
        "空白单元格不修改档案。重复导入同一文件不会产生新记录。",
        "证件号码、电话、银行账号请设为“文本”格式。导入时读取名为“家庭成员”的工作表（没有时读取第一个工作表）。",
    ]
    for r, line in enumerate(lines):
        notes.write_string(r, 0, line)
    top = len(lines) + 1
    for i, title in enumerate(("列名", "英文键", "必填", "说明")):
        notes.write_string(top, i, title, bold)
    for r, col in enumerate(COLUMNS, start=top + 1):
        for i, value in enumerate((col.header, col.key, "是" if col.required else "", col.note)):
            notes.write_string(r, i, value, wrap if i == 3 else None)
    example = top + len(COLUMNS) + 2
    notes.write_string(example, 0, "示例（一户三人）", bold)
    notes.write_row(example + 1, 0, headers, bold)
    for r, values in enumerate(EXAMPLE_ROWS, start=example + 2):
        for i, value in enumerate(values):
            notes.write_string(r, i, value)
    book.close()
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return out.getvalue(), xlsx_type, "household-import-template.xlsx"
