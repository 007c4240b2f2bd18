"""`safetynet import-regions FILE.csv` — import administrative divisions (code,name,urban_rural)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safetynet.regions.services import regions_import_csv


class Command(BaseCommand):
    help = "Import regions from a CSV with columns code,name[,urban_rural] (UTF-8 or GBK)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"file not found / 文件不存在: {path}")
        result = regions_import_csv(data=path.read_bytes(), actor=None, reason=f"import-regions {path.name}")
        for row, fld, message in result.errors:
            self.stderr.write(f"第{row}行 字段 {fld}: {message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s); nothing imported / 有错误，未导入任何数据")
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
