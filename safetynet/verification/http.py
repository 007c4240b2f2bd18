"""HTTP transport: JSON signed with HMAC-SHA256 per department key, timestamp + nonce (a replayed
nonce is refused), a retry of the same request id answered idempotently, paging.

``DepartmentServer`` is the simulated department (``safetynet departments serve``), answering
from ``var/departments/``; ``client_exchange`` is the hub side, writing the pages it receives
into the run's inbox as Parquet, like a delivered result file."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from safetynet.verification import exchange, fuzzy
from safetynet.verification.connectors import connector

MAX_SKEW = 300  # seconds
PAGE = 5000


def department_key(department: str) -> bytes:
    configured = getattr(settings, "VERIFICATION_DEPARTMENT_KEYS", {}).get(department)
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), f"dept-key:{department}".encode(), hashlib.sha256).digest()


def sign(department: str, body: bytes) -> str:
    return hmac.new(department_key(department), body, hashlib.sha256).hexdigest()


class DepartmentState:
    def __init__(self, datasets_dir: Path):
        self.datasets_dir = Path(datasets_dir)
        self.lock = threading.Lock()
        self.nonces: set[tuple[str, str]] = set()
        self.answers: dict[tuple[str, str], dict] = {}
        self.index: dict[str, dict[str, pa.Table]] = {}

    def tables(self, department: str) -> dict[str, pa.Table]:
        with self.lock:
            if department not in self.index:
                out = {}
                for ds in connector(department).datasets:
                    path = self.datasets_dir / f"{ds.name}.parquet"
                    if path.exists():
                        t = pq.read_table(path)
                        ps = pa.array(
                            [exchange.pseudonym(i, department) for i in t.column("id_number").to_pylist()],
                            pa.string(),
                        )
                        out[ds.name] = t.drop_columns(["id_number"]).append_column("pseudonym", ps)
                self.index[department] = out
            return self.index[department]

    def answer(self, department: str, payload: dict) -> tuple[int, dict]:
        now = time.time()
        if abs(now - float(payload.get("timestamp", 0))) > MAX_SKEW:
            return 401, {"error": "timestamp outside the allowed window"}
        nonce, request_id = str(payload.get("nonce", "")), str(payload.get("request_id", ""))
        if not nonce or not request_id:
            return 400, {"error": "nonce and request_id are required"}
        with self.lock:
            if (department, nonce) in self.nonces:
                return 409, {"error": "replayed nonce"}
            self.nonces.add((department, nonce))
            cached = self.answers.get((department, request_id))
        if cached is not None:
            return 200, {**cached, "replayed": True}
        import pyarrow.compute as pc

        asked = pa.array(payload.get("pseudonyms", []), pa.string())
        page, size = int(payload.get("page", 0)), int(payload.get("page_size", PAGE))
        datasets = {}
        more = False
        for name, table in self.tables(department).items():
            rows = table.filter(pc.is_in(table.column("pseudonym"), value_set=asked))
            rows = fuzzy.simulated_unidentified(
                rows, department=department, dataset=name, datasets_dir=self.datasets_dir
            )
            part = rows.slice(page * size, size)
            more = more or rows.num_rows > (page + 1) * size
            datasets[name] = [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                for r in part.to_pylist()
            ]
        result = {"request_id": request_id, "page": page, "more": more, "datasets": datasets}
        with self.lock:
            self.answers[(department, request_id)] = result
        return 200, result


def make_handler(state: DepartmentState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):  # noqa: N802
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "v1" or parts[2] != "query":
                return self._send(404, {"error": "not found"})
            department = parts[1]
            try:
                connector(department)
            except KeyError:
                return self._send(404, {"error": "unknown department"})
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not hmac.compare_digest(self.headers.get("X-Signature", ""), sign(department, body)):
                return self._send(401, {"error": "bad signature"})
            try:
                payload = json.loads(body)
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
            status, answer = state.answer(department, payload)
            self._send(status, answer)

        def _send(self, status: int, data: dict):
            raw = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


def serve(host: str, port: int, datasets_dir: Path) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(DepartmentState(datasets_dir)))


def post(url: str, department: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    req = urllib.request.Request(
        f"{url.rstrip('/')}/v1/{department}/query",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Signature": sign(department, body)},
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def client_exchange(
    *, run, department: str, request_path: Path, inbox: Path, page_size: int | None = None
) -> None:
    """Ask one department over HTTP, page by page; the request id is stable per (run,
    department, page) so a retry after a crash is answered idempotently."""
    page_size = page_size or PAGE
    pseudonyms = pq.read_table(request_path).column("pseudonym").to_pylist()
    collected: dict[str, list] = {}
    page = 0
    while True:
        payload = {
            "request_id": f"run-{run.pk}-{department}-{page}",
            "timestamp": time.time(),
            "nonce": secrets.token_hex(16),
            "pseudonyms": pseudonyms,
            "page": page,
            "page_size": page_size,
        }
        status, answer = post(run.server_url, department, payload)
        if status != 200:
            raise RuntimeError(f"{department}: HTTP {status} {answer.get('error', '')}")
        for name, rows in answer["datasets"].items():
            collected.setdefault(name, []).extend(rows)
        if not answer["more"]:
            break
        page += 1
    inbox.mkdir(parents=True, exist_ok=True)
    for name, rows in collected.items():
        if rows:
            exchange.result_write(pa.Table.from_pylist(rows), inbox / name, "parquet")
