"""``safetynet departments serve`` — the simulated department server (real HTTP on 127.0.0.1)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from safetynet.verification.http import serve


class Command(BaseCommand):
    help = "模拟部门数据接口服务（仅用于演示和测试）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("serve")
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--port", type=int, default=8765)
        s.add_argument("--datasets-dir", default=str(Path(settings.BASE_DIR) / "var" / "departments"))
        s.add_argument(
            "--unidentified",
            type=int,
            default=None,
            help="每 N 行返回一行无证件号码的记录（姓名、出生日期、地址），用于演示疑似匹配；0 为关闭",
        )

    def handle(self, *args, **opts):
        if opts.get("unidentified") is not None:
            settings.VERIFICATION_SIMULATED_UNIDENTIFIED = opts["unidentified"]
        server = serve(opts["host"], opts["port"], Path(opts["datasets_dir"]))
        self.stdout.write(
            f"department server on http://{opts['host']}:{server.server_port} answering from {opts['datasets_dir']}"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
