"""A monitor on SQLite never loads the PostgreSQL dialect: importing its modules took
about 0.03 s, which every command paid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_sqlite_store_writes_upserts_without_the_postgresql_dialect(tmp_path: Path) -> None:
    code = f"""
import sys
from datetime import datetime, timedelta, timezone
from monitor import cli
from monitor.store import Store
store = Store.open("sqlite:///{tmp_path / "monitor.db"}")
now = datetime.now(timezone.utc)
store.cache_put("k", "v", now + timedelta(hours=1))
store.cache_put("k", "v2", now + timedelta(hours=1))
assert store.cache_get("k", now) == "v2"
print("sqlalchemy.dialects.postgresql" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False", done.stderr
