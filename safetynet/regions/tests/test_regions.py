from safetynet.core.permissions import region_bounds
from safetynet.regions.choices import Level
from safetynet.regions.models import Region, level_of, parent_code
from safetynet.regions.services import regions_import_csv


def test_levels_and_parents_come_from_the_code():
    assert level_of("320000000000") == Level.PROVINCE
    assert level_of("320100000000") == Level.CITY
    assert level_of("320111000000") == Level.COUNTY
    assert level_of("320111001000") == Level.TOWNSHIP
    assert level_of("320111001001") == Level.VILLAGE
    assert parent_code("320111001001") == "320111001000"
    assert parent_code("320000000000") is None
    assert region_bounds("320111001000") == ("320111001000", "320111001999")


CSV = "code,name,urban_rural\n320000000000,示范省,\n320100000000,示范市,\n320111000000,示范县,\n320111001000,东河镇,rural\n320111001001,柳树村,rural\n"


def test_import_from_gbk_csv_is_idempotent(db):
    result = regions_import_csv(data=CSV.encode("gbk"), actor=None)
    assert (result.created, result.errors) == (5, [])
    again = regions_import_csv(data=CSV.encode("utf-8-sig"), actor=None)
    assert (again.created, again.unchanged) == (0, 5)
    assert Region.objects.get(code="320111001001").parent_id == "320111001000"


def test_import_reports_rows_and_writes_nothing_on_error(db):
    bad = CSV + "32011100100X,坏代码,rural\n320999001001,孤儿村,rural\n"
    result = regions_import_csv(data=bad.encode(), actor=None)
    rows = {(row, fld) for row, fld, _m in result.errors}
    assert (7, "code") in rows and (8, "code") in rows
    assert Region.objects.count() == 0
