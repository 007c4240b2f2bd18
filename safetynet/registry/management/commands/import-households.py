"""``safetynet import-households FILE --user USERNAME [--reason TEXT] [--errors OUT.xlsx]``

Imports households and members from an .xlsx or .csv file as USERNAME (whose role and region
decide what may be written), prints the counts, and exits with status 1 when any row was
rejected (the rejected rows go to --errors, and stay downloadable from the job's result page),
with status 2 when it cannot start (no such file or user, or a role that may not file households).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from safetynet.registry import imports


class Command(BaseCommand):
    help = "Import households and members from an .xlsx or .csv file (docs/import-format.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument(
            "--user", required=True, help="the user the import runs as (role and region apply)"
        )
        parser.add_argument("--reason", default="", help="reason written into the change reports")
        parser.add_argument("--errors", default="", help="write the rejected rows to this .xlsx file")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有这个用户（或已停用）：{options['user']}", returncode=2)
        try:
            with path.open("rb") as handle:
                result = imports.household_import(
                    actor=user, file=handle, filename=path.name, reason=options["reason"]
                )
        except PermissionDenied:
            raise CommandError(
                f"用户 {user.username} 的角色不能建立家庭档案，不能导入", returncode=2
            ) from None
        counts = result.counts
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(
            f"作业 #{result.job.pk}：共 {counts['rows']} 行，{counts['households']} 户；"
            f"新建家庭 {counts['households_created']}，有变更 {counts['households_changed']}，"
            f"无变化 {counts['households_unchanged']}，被拒绝 {counts['households_rejected']}"
        )
        self.stdout.write(
            f"行：新建 {counts['rows_created']}，变更 {counts['rows_changed']}，"
            f"无变化 {counts['rows_unchanged']}，被拒绝 {counts['rows_rejected']}"
        )
        for error in result.errors[:10]:
            where = f"第 {error.row} 行 {error.header}" if error.row else "整个文件"
            self.stderr.write(f"{where}：{error.reason}")
        if options["errors"] and result.errors:
            Path(options["errors"]).write_bytes(imports.errors_xlsx(result.errors))
            self.stderr.write(f"错误文件：{options['errors']}（{len(result.errors)} 条）")
        if result.rejected:
            raise CommandError(f"有 {result.rejected} 行未导入", returncode=1)
