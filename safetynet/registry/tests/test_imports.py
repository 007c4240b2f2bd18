"""Import of households and members from .xlsx and .csv (safetynet/registry/imports.py)."""

import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from safetynet.core import crypto, testing
from safetynet.core.models import ChangeLog, Job
from safetynet.registry import imports
from safetynet.registry.imports import COLUMNS, household_import
from safetynet.registry.models import ChangeReport, Household, Membership, Person
from safetynet.registry.services import household_create, member_leave

HEADERS = [col.header for col in COLUMNS]
COLUMN_BY_HEADER = {col.header: col.key for col in COLUMNS}
HEAD_ID = testing.make_id_number(birth="19700305", seq=1)
SPOUSE_ID = testing.make_id_number(birth="19720810", seq=1, male=False)
CHILD_ID = testing.make_id_number(birth="20120901", seq=3)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # error files are stored under MEDIA_ROOT


def person(key="1", relation="本人", name="张伟", id_number=HEAD_ID, **values):
    """One row, by column key; household facts only on the head's row unless given."""
    row = {
        "household_key": key,
        "relation": relation,
        "name": name,
        "id_number": id_number,
        "hukou_type": "农村户口",
    }
    if relation == "本人":
        row.update(
            region_code=testing.VILLAGE_A1,
            address="柳树村3组12号",
            bank_name="农村信用社",
            account_holder=name,
            account_number="6228480012345678901",
            phone="13812345678",
        )
    row.update(values)
    return row


def family(key="1", head=HEAD_ID, spouse=SPOUSE_ID, child=CHILD_ID, **head_values):
    return [
        person(key, id_number=head, **head_values),
        person(key, "配偶", "李芳", spouse, disability_category="肢体残疾", disability_grade="二级"),
        person(key, "子女", "张小明", child, schooling="小学", full_time_student="是"),
    ]


def xlsx(rows, *, headers=HEADERS, sheets=(), merge=None, title=None, first_sheet="家庭成员"):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name in sheets:
        book.add_worksheet(name).write(0, 0, "说明")
    sheet = book.add_worksheet(first_sheet)
    top = 0
    if title:
        sheet.merge_range(0, 0, 0, 5, title)
        top = 1
    sheet.write_row(top, 0, headers)
    keys = [COLUMN_BY_HEADER.get(h, h) for h in headers]
    for r, row in enumerate(rows, start=top + 1):
        for c, key in enumerate(keys):
            value = row.get(key, "")
            if value != "":
                sheet.write(r, c, value)
    if merge:
        sheet.merge_range(*merge)
    book.close()
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8", headers=HEADERS):
    keys = [COLUMN_BY_HEADER[h] for h in headers]
    lines = [",".join(headers)] + [",".join(str(row.get(k, "")) for k in keys) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(actor, content, filename="家庭.xlsx", reason=""):
    return household_import(actor=actor, file=io.BytesIO(content), filename=filename, reason=reason)


def by_id(number):
    return Person.objects.get(id_hash=crypto.blind_index(number))


def errors_of(result):
    return {(e.row, e.key): e.reason for e in result.errors}


# --- the happy path --------------------------------------------------------------------------


def test_it_imports_households_with_their_members_as_one_job(personas):
    content = xlsx(
        family() + family("2", *(testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)))
    )
    result = run(personas.alice, content, reason="2026年普查")

    assert result.counts["households_created"] == 2 and result.counts["rows_created"] == 6
    assert result.rejected == 0 and result.errors == []
    household = Household.objects.get(head=by_id(HEAD_ID))
    assert household.size == 3 and household.region_code == testing.VILLAGE_A1
    assert household.number.startswith("H" + testing.VILLAGE_A1)
    spouse = by_id(SPOUSE_ID)
    assert (spouse.disability_category, spouse.disability_grade, spouse.sex) == ("physical", 2, "F")
    assert by_id(CHILD_ID).full_time_student is True
    assert household.account_masked.endswith("8901") and household.phone_masked == "138****5678"
    assert HEAD_ID not in by_id(HEAD_ID).id_enc

    job = result.job
    assert job.kind == "household_import" and job.status == Job.Status.SUCCEEDED
    assert job.digest == hashlib.sha256(content).hexdigest()
    assert job.counts["households_created"] == 2
    for model in (Household, Person, Membership, ChangeReport):
        assert not model.objects.exclude(job=job).exists(), model
    report = ChangeReport.objects.get(household=household)
    assert report.kind == "created" and report.reason == "2026年普查"
    assert report.after == {"members": ["张伟", "李芳", "张小明"]} and report.actor_name == "alice"
    entry = ChangeLog.objects.get(action="job", job=job)
    assert entry.after["digest"] == job.digest and entry.after["counts"]["rows_created"] == 6


def test_importing_the_same_file_twice_creates_nothing_new(personas):
    content = xlsx(family())
    run(personas.alice, content)
    tables = {m: m.objects.count() for m in (Household, Person, Membership, ChangeReport)}

    again = run(personas.alice, content)

    assert again.counts["households_unchanged"] == 1 and again.counts["rows_unchanged"] == 3
    assert again.counts["households_created"] == again.counts["households_changed"] == 0
    assert {m: m.objects.count() for m in tables} == tables


def test_changed_rows_become_change_reports_with_the_job_id(personas):
    run(personas.alice, xlsx(family()))
    newborn = testing.make_id_number(birth="20250101", seq=9)
    rows = family(address="柳树村5组1号")
    rows[1]["disability_grade"] = "一级"
    rows.append(person("1", "子女", "张小红", newborn))

    result = run(personas.alice, xlsx(rows), reason="年度复核")

    assert result.counts["households_changed"] == 1
    assert result.counts["rows_changed"] == 2 and result.counts["rows_created"] == 1
    assert result.counts["rows_unchanged"] == 1
    household = Household.objects.get()
    assert household.address == "柳树村5组1号" and household.size == 4
    assert Person.objects.get(name="李芳").disability_grade == 1
    kinds = set(household.changes.filter(job=result.job).values_list("kind", flat=True))
    assert kinds == {"address", "member_edited", "member_joined"}
    assert set(household.changes.filter(job=result.job).values_list("reason", flat=True)) == {"年度复核"}
    assert Person.objects.get(name="张小红").job_id == result.job.pk
    updates = ChangeLog.objects.filter(action__in=["update", "create"], job=result.job)
    assert updates.filter(object_type="registry.household").exists()  # the services' own rows carry the job


def test_blank_cells_leave_the_record_as_it_is(personas):
    run(personas.alice, xlsx(family()))
    rows = family()
    for row in rows:
        for key in ("disability_category", "disability_grade", "schooling", "full_time_student", "phone"):
            row.pop(key, None)
    assert run(personas.alice, xlsx(rows)).counts["households_unchanged"] == 1
    assert Person.objects.get(name="李芳").disability_grade == 2


def test_an_import_does_not_change_relation_or_counting_it_says_so(personas):
    run(personas.alice, xlsx(family()))
    rows = family()
    rows[2]["relation"] = "孙子女/外孙子女"
    result = run(personas.alice, xlsx(rows))
    assert result.counts["households_rejected"] == 1
    assert "导入不修改与户主关系" in errors_of(result)[(4, "relation")]


def test_utf8_and_gbk_csv_are_both_read(personas):
    for encoding, seq in (("utf-8", 11), ("utf-8-sig", 12), ("gbk", 13), ("gb18030", 14)):
        ids = [testing.make_id_number(birth=f"19{60 + i}0101", seq=seq) for i in range(3)]
        result = run(personas.alice, csv_bytes(family(str(seq), *ids), encoding), filename="家庭.csv")
        assert result.counts["households_created"] == 1, (encoding, result.errors)
        assert result.sheet == "CSV"
    assert set(Person.objects.values_list("name", flat=True)) == {"张伟", "李芳", "张小明"}


def test_labels_codes_synonyms_and_excel_dates_are_accepted(personas):
    rows = family()
    rows[0].update(relation="户主", hukou_type="rural", sex="男", birth_date=dt.date(1970, 3, 5))
    rows[1].update(
        relation="妻子", disability_category="physical", disability_grade=2, birth_date="1972/8/10"
    )
    rows[2].update(
        birth_date=41153, schooling="primary", hukou_type="农业户口"
    )  # 2012-09-01 as an Excel serial
    result = run(personas.alice, xlsx(rows))
    assert result.counts["households_created"] == 1, result.errors


# --- bad input: each is reported at its row and field, and nothing of the household is stored --


def test_a_household_with_one_bad_row_is_rejected_whole_and_the_others_are_written(personas):
    other = [testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)]
    bad = family("2", *other)
    bad[1]["id_number"] = other[1][:-1] + ("0" if other[1][-1] != "0" else "1")  # wrong check digit
    result = run(personas.alice, xlsx(family() + bad))

    assert result.counts["households_created"] == 1 and result.counts["households_rejected"] == 1
    assert result.counts["rows_rejected"] == 3
    errors = errors_of(result)
    assert "校验位错误" in errors[(6, "id_number")]
    assert (
        "本户整户未导入" in errors[(5, "household_key")] and "本户整户未导入" in errors[(7, "household_key")]
    )
    assert not Person.objects.filter(id_masked__endswith=other[0][-4:]).exists()
    assert Household.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "key", "text"),
    [
        ({"id_number": "32011119700305001"}, "id_number", "应为18位"),
        ({"id_number": 320111197003050011.0}, "id_number", "存成了数字"),
        ({"id_number": "3.20111E+17"}, "id_number", "科学计数法"),
        ({"birth_date": "2999-01-01"}, "birth_date", "晚于今天"),
        ({"region_code": "320111009009"}, "region_code", "不存在"),
        ({"region_code": "32011100100"}, "region_code", "12位数字"),
        ({"region_code": testing.VILLAGE_B1}, "region_code", "不在您的管辖范围"),
        ({"disability_category": "肢体残疾", "disability_grade": "很重"}, "disability_grade", "1到4级"),
        ({"disability_category": "肢体残疾", "disability_grade": 7}, "disability_grade", "1到4的整数"),
        ({"hukou_type": "火星户口"}, "hukou_type", "不是有效的户口性质"),
        ({"serious_illness": "也许"}, "serious_illness", "只能填"),
        ({"birth_date": "三月五日"}, "birth_date", "无法识别"),
        ({"name": "张" * 51}, "name", "过长"),
        ({"relation": ""}, "relation", "不能为空"),
        ({"region_code": ""}, "region_code", "区划代码不能为空"),
        ({"address": ""}, "address", "居住地址不能为空"),
    ],
)
def test_bad_values_get_a_chinese_message_naming_row_and_field(personas, change, key, text):
    rows = family()
    rows[0].update(change)
    result = run(personas.alice, xlsx(rows))
    errors = errors_of(result)
    assert text in errors.get((2, key), ""), result.errors
    assert result.counts["households_rejected"] == 1 and Person.objects.count() == 0
    english = next(e for e in result.errors if (e.row, e.key) == (2, key))
    assert english.reason_en  # the English column is filled (from locale/en once translated)


def test_a_future_birth_date_inside_an_identity_number_is_rejected(personas):
    rows = family()
    rows[2]["id_number"] = testing.make_id_number(birth="29990101", seq=3)
    assert "晚于今天" in errors_of(run(personas.alice, xlsx(rows)))[(4, "id_number")]


def test_duplicate_persons_in_a_file_are_all_reported(personas):
    second = family("2", *(testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)))
    second[2]["id_number"] = CHILD_ID  # the same child in two households
    result = run(personas.alice, xlsx(family() + second))
    errors = errors_of(result)
    assert "出现了 2 次" in errors[(4, "id_number")] and "第 4、7 行" in errors[(7, "id_number")]
    assert result.counts["households_rejected"] == 2 and Household.objects.count() == 0


def test_a_person_counted_in_another_household_is_a_conflict_without_saying_whose(personas):
    household_create(
        actor=personas.bob, data=testing.household_input(village=testing.VILLAGE_B1, seq=42), reason="r"
    )
    taken = testing.make_id_number(birth="19700305", seq=42)
    rows = family()
    rows[2]["id_number"] = taken
    rows[2]["relation"] = "父母"
    result = run(personas.alice, xlsx(rows))
    message = errors_of(result)[(4, "id_number")]
    assert "已是另一个家庭的共同生活成员" in message and "H3201110020" not in message
    assert taken not in message and taken[-4:] in message  # masked


def test_merged_cells_are_reported_on_every_row_they_cover(personas):
    rows = family()
    content = xlsx(rows, merge=(2, 2, 3, 2, "柳树村3组12号"))  # C3:C4, the address of rows 3 and 4
    result = run(personas.alice, content)
    errors = errors_of(result)
    assert "C3:C4" in errors[(3, "address")] and "合并单元格" in errors[(4, "address")]
    assert result.counts["households_rejected"] == 1


def test_a_merged_title_above_the_header_or_a_merged_remark_is_fine(personas):
    result = run(personas.alice, xlsx(family(), title="柳树村家庭成员花名册"))
    assert result.counts["households_created"] == 1, result.errors
    rows = family("2", *(testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)))
    remarks = len(HEADERS)  # a “备注” column after the layout, merged over the household's rows
    result = run(
        personas.alice, xlsx(rows, headers=[*HEADERS, "备注"], merge=(1, remarks, 3, remarks, "低保户"))
    )
    assert result.counts["households_created"] == 1, result.errors
    assert any("备注" in note for note in result.notes)


def test_the_sheet_named_household_members_is_read_and_the_others_are_named(personas):
    result = run(personas.alice, xlsx(family(), sheets=("封面", "说明")))
    assert result.sheet == "家庭成员" and result.counts["households_created"] == 1
    assert any("封面、说明" in note for note in result.notes)
    result = run(personas.alice, xlsx(family("9"), first_sheet="Sheet1"))
    assert result.sheet == "Sheet1"


@pytest.mark.parametrize(
    ("content", "filename", "text"),
    [
        (b"", "a.xlsx", "文件为空"),
        ("户编号,姓名,证件号码,与户主关系,区划代码,居住地址,户口性质\r\n".encode(), "a.csv", "没有数据行"),
        ("姓名,证件号码,与户主关系\r\n张伟,1,本人\r\n".encode(), "a.csv", "缺少必需的列"),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "无法读取 Excel 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", ".xls"),
        ("随便写点什么\r\n".encode(), "a.csv", "找不到表头"),
    ],
)
def test_unreadable_files_get_one_clear_message_and_change_nothing(personas, content, filename, text):
    result = run(personas.alice, content, filename=filename)
    assert result.counts["file_rejected"] == 1 and result.rejected >= 1
    assert text in result.errors[0].reason and result.errors[0].row is None
    assert (
        result.job.status == Job.Status.SUCCEEDED
        and result.job.params["file_error"][0] == result.errors[0].reason
    )
    assert Household.objects.count() == 0


def test_a_file_over_the_size_limit_is_rejected_for_size(personas, settings):
    settings.SAFETYNET_IMPORT_MAX_BYTES = 4096
    content = xlsx(family() * 40)
    assert len(content) > 4096
    result = run(personas.alice, content)
    assert "超过导入上限" in result.errors[0].reason and "MB" in result.errors[0].reason
    assert Person.objects.count() == 0


def test_the_error_file_has_row_field_reasons_and_masked_values(personas):
    rows = family()
    rows[0]["id_number"] = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    result = run(personas.alice, xlsx(rows))
    handle = imports.error_file_open(result.job)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["行号", "字段", "field", "原因", "reason", "原始值"]
    line = next(r for r in sheet[1:] if r[2] == "id_number")
    assert line[0] == 2 and line[1] == "证件号码" and "校验位错误" in line[3] and line[4]
    assert HEAD_ID[:-1] not in "".join(str(v) for r in sheet for v in r)  # masked everywhere
    assert line[5].startswith("3201") and "*" in line[5]


def test_roles_that_may_not_file_households_may_not_import(personas):
    with pytest.raises(PermissionDenied):
        run(personas.dave, xlsx(family()))
    assert run(personas.victor, xlsx(family())).counts["households_created"] == 1  # a village coordinator may


def test_a_household_on_file_outside_the_importers_scope_is_not_changed(personas):
    household_create(
        actor=personas.bob, data=testing.household_input(village=testing.VILLAGE_B1, seq=1), reason="r"
    )
    result = run(personas.alice, xlsx(family()))
    assert result.counts["households_rejected"] == 1
    assert "已是另一个家庭的共同生活成员" in errors_of(result)[(2, "id_number")]


# --- robustness ----------------------------------------------------------------------------------


def test_a_rerun_after_a_crash_completes_without_duplicates(personas, monkeypatch):
    other = [testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)]
    content = xlsx(family() + family("2", *other))
    monkeypatch.setattr(imports, "CHUNK", 1)
    calls = []
    original = imports._Import.write_new

    def crash_on_second_chunk(self, groups):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return original(self, groups)

    monkeypatch.setattr(imports._Import, "write_new", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        run(personas.alice, content)
    assert Job.objects.get().status == Job.Status.FAILED and Household.objects.count() == 1

    monkeypatch.setattr(imports._Import, "write_new", original)
    result = run(personas.alice, content)
    assert result.counts["households_unchanged"] == 1 and result.counts["households_created"] == 1
    assert Household.objects.count() == 2 and Person.objects.count() == 6


def test_a_chunk_that_hits_a_constraint_is_written_household_by_household(personas, monkeypatch):
    taken = household_create(actor=personas.alice, data=testing.household_input(seq=30), reason="r").number
    monkeypatch.setattr(imports, "_next_number", lambda code: taken)  # a number someone just took
    result = run(personas.alice, xlsx(family()))
    assert result.counts["households_created"] == 1, result.errors
    household = Household.objects.get(head__name="张伟", job=result.job)
    assert household.number != taken
    assert not Person.objects.filter(memberships__household=household).exclude(job=result.job).exists()


def test_a_person_on_file_who_left_another_household_is_reused_not_duplicated(personas):
    old = household_create(actor=personas.alice, data=testing.household_input(seq=50), reason="r")
    spouse = Membership.objects.get(household=old, relation="spouse")
    member_leave(actor=personas.alice, membership=spouse, reason="离婚")
    rows = family(spouse=testing.make_id_number(birth="19720810", seq=50, male=False))
    result = run(personas.alice, xlsx(rows))
    assert result.counts["households_created"] == 1, result.errors
    reused = Person.objects.get(pk=spouse.person_id)
    assert (
        reused.name == "李芳" and reused.job_id is None and Person.objects.count() == 4
    )  # created by a service
    log = ChangeLog.objects.get(object_type="registry.person", object_id=str(reused.pk), job=result.job)
    assert log.after == {"region_code": testing.VILLAGE_A1}
    assert Membership.objects.get(person=reused, end_date__isnull=True).household.head == by_id(HEAD_ID)


def test_ids_the_import_reserves_are_not_handed_out_again(personas):
    household_create(actor=personas.alice, data=testing.household_input(seq=30), reason="r")
    run(personas.alice, xlsx(family()))
    later = household_create(actor=personas.alice, data=testing.household_input(seq=31), reason="r")
    imported = Household.objects.get(head=by_id(HEAD_ID))
    assert later.pk > imported.pk and later.head_id > by_id(CHILD_ID).pk
    assert Person.objects.count() == 7 and Membership.objects.filter(household=imported).count() == 3


def test_new_households_cost_a_fixed_number_of_queries_not_one_per_household(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def households(n, first):
        rows = []
        for h in range(n):
            ids = [
                testing.make_id_number(birth=f"19{50 + m}0{1 + h % 9}1{h % 10}", seq=first + h)
                for m in range(3)
            ]
            rows += family(str(h), *ids)
        return xlsx(rows)

    with CaptureQueriesContext(connection) as few:
        assert run(personas.alice, households(2, 100)).counts["households_created"] == 2
    with CaptureQueriesContext(connection) as many:
        assert run(personas.alice, households(40, 200)).counts["households_created"] == 40
    assert len(many) - len(few) <= 2, [q["sql"][:80] for q in many.captured_queries]


# --- template, docs, command, pages ------------------------------------------------------------


def test_the_template_imports_once_filled_in(personas):
    content, content_type, filename = imports.import_template("xlsx")
    assert filename.endswith(".xlsx") and "spreadsheetml" in content_type
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "家庭成员" and [c.value for c in book["家庭成员"][1]] == HEADERS
    for values in imports.EXAMPLE_ROWS:
        book["家庭成员"].append(list(values))
    out = io.BytesIO()
    book.save(out)
    assert run(personas.alice, out.getvalue()).counts["rows_created"] == len(imports.EXAMPLE_ROWS)
    content, _type, _name = imports.import_template("csv")
    assert content.startswith("\ufeff户编号,".encode())


def test_the_format_document_names_every_column():
    text = (Path(__file__).resolve().parents[3] / "docs" / "import-format.md").read_text(encoding="utf-8")
    for col in COLUMNS:
        assert f"`{col.key}`" in text and col.header in text, col.key


def test_the_command_prints_counts_and_fails_when_rows_were_rejected(personas, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(family()))
    rows = family("2", *(testing.make_id_number(birth="19650101", seq=s) for s in (5, 6, 7)))
    rows[0]["region_code"] = "999999999999"
    bad.write_bytes(xlsx(rows))
    out = io.StringIO()
    call_command("import-households", str(good), user="alice", stdout=out)
    assert "新建家庭 1" in out.getvalue()
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError) as info:
        call_command("import-households", str(bad), user="alice", errors=str(errors), stdout=io.StringIO())
    assert info.value.returncode == 1 and "3" in str(info.value)
    assert errors.exists() and errors.stat().st_size > 0
    with pytest.raises(CommandError) as info:
        call_command("import-households", str(good), user="nobody", stdout=io.StringIO())
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        call_command("import-households", str(good), user="dave", stdout=io.StringIO())
    assert info.value.returncode == 2 and "不能导入" in str(info.value)


def test_the_upload_page_imports_and_shows_the_result(client, personas):
    client.force_login(personas.alice)
    page = client.get(reverse("registry:import"))
    assert page.status_code == 200
    assert reverse("registry:import_template", args=["xlsx"]) in page.content.decode()
    rows = family()
    rows[1]["id_number"] = "123"
    upload = io.BytesIO(xlsx(rows))
    upload.name = "家庭.xlsx"
    response = client.post(reverse("registry:import"), {"file": upload, "reason": "普查"})
    job = Job.objects.get(kind="household_import")
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    result = client.get(response["Location"]).content.decode()
    assert "家庭.xlsx" in result and reverse("registry:import_errors", args=[job.pk]) in result
    download = client.get(reverse("registry:import_errors", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    template = client.get(reverse("registry:import_template", args=["csv"]))
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    assert client.get(reverse("registry:import_template", args=["pdf"])).status_code == 404


def test_only_the_importer_sees_a_job_and_its_error_file(client, personas):
    rows = family()
    rows[0]["region_code"] = "999999999999"
    job = run(personas.alice, xlsx(rows)).job
    client.force_login(personas.carol)
    assert client.get(reverse("registry:import_errors", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry:import") + f"?job={job.pk}").status_code == 404
    client.force_login(personas.dave)
    assert client.get(reverse("registry:import")).status_code == 403
