"""HTTP transport against the simulated department server on a free port."""

import secrets
import threading
import time

import pytest

from safetynet.verification import http, services
from safetynet.verification.models import Finding
from safetynet.verification.tests.conftest import start


@pytest.fixture
def server(county):
    srv = http.serve("127.0.0.1", 0, county["dir"])
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def _payload(**kw):
    return {
        "request_id": "r1",
        "timestamp": time.time(),
        "nonce": secrets.token_hex(8),
        "pseudonyms": [],
        "page": 0,
        **kw,
    }


def test_signature_replay_and_idempotent_retry(server):
    body = _payload()
    assert http.post(server, "banking", body)[0] == 200
    assert http.post(server, "banking", body)[0] == 409  # same nonce: replay refused
    retry = _payload()  # same request id, new nonce: the same answer, marked as a replay
    status, answer = http.post(server, "banking", retry)
    assert status == 200 and answer["replayed"] is True
    assert http.post(server, "banking", _payload(request_id="r2", timestamp=time.time() - 3600))[0] == 401
    # a body signed with another department's key is refused
    import json
    import urllib.request

    raw = json.dumps(_payload(request_id="r3")).encode()
    req = urllib.request.Request(
        f"{server}/v1/banking/query",
        data=raw,
        method="POST",
        headers={"X-Signature": http.sign("taxation", raw)},
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req)
    assert exc.value.code == 401


def test_http_run_gives_the_same_findings_as_the_file_run(county, server, monkeypatch):
    monkeypatch.setattr(http, "PAGE", 7)  # force several pages
    deps = ["banking", "public_security"]
    file_run = services.run_execute(run=start(county, departments=deps), datasets_dir=county["dir"])
    run = services.run_start(
        actor=county["verifier"],
        region_code="320125000000",
        departments=deps,
        transport="http",
        server_url=server,
        as_of=file_run.as_of,
        work_dir=county["work"] / "http",
    )
    run = services.run_execute(run=run)
    assert run.status == "succeeded"
    key = ("person_id", "key", "amount")
    assert sorted(Finding.objects.filter(run=run).values_list(*key)) == sorted(
        Finding.objects.filter(run=file_run).values_list(*key)
    )
