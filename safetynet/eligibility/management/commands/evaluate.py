"""`safetynet evaluate FILE|-` — evaluate a household situation (JSON) and print the results."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Read a household situation as JSON (docs/rules.md) from FILE or - (stdin) and print the results as JSON."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--period", help="YYYY-MM, if the situation has none")

    def handle(self, *args, **options):
        from openfisca_cn_assistance import evaluate
        from openfisca_cn_assistance.situation import SituationError

        raw = sys.stdin.read() if options["file"] == "-" else self._read(options["file"])
        try:
            situation = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）/ not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from None
        try:
            result = evaluate(situation, options["period"])
        except SituationError as exc:
            for error in exc.errors:
                self.stderr.write(f"{error['field']}: {error['message']} / {error.get('message_en', '')}")
            raise CommandError(f"{len(exc.errors)} 处错误 / {len(exc.errors)} error(s)") from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _read(self, name: str) -> str:
        path = Path(name)
        if not path.exists():
            raise CommandError(f"文件不存在 / file not found: {path}")
        return path.read_text(encoding="utf-8")
