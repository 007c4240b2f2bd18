"""Exit 0 if the PostgreSQL server named by PG_URL (default 127.0.0.1:5432, user postgres) answers."""

import os
import sys

import psycopg

url = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
try:
    with psycopg.connect(url, connect_timeout=3) as conn:
        conn.execute("select 1")
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
sys.exit(0)
