"""An importer killed mid-transaction (SIGKILL) leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

import oncoboard
from oncoboard.store import Store
from oncoboard.store._engine import make_engine
from oncoboard.store._schema import AuditEventRow, CaseVersionRow, PatientRow

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

# Run in a child process: open the store, then intercept the dialect's COMMIT (the last step
# of a transaction, after all rows were flushed). A commit whose transaction holds both the
# new version and its audit event announces itself and hangs until killed; any other commit
# goes through, so an import split over several transactions leaves committed traces.
CHILD = """
import sys, time
from pathlib import Path
from sqlalchemy.engine.default import DefaultDialect
from oncoboard.store import Store

url, marker, patient_id = sys.argv[1:]
store = Store.open(url, actor="doomed")
commit = DefaultDialect.do_commit

def commit_or_hang(self, dbapi_connection):
    cursor = dbapi_connection.cursor()
    cursor.execute(
        "SELECT (SELECT count(*) FROM case_versions WHERE source_name = 'doomed.yaml'),"
        " (SELECT count(*) FROM audit_events WHERE actor = 'doomed')"
    )
    n_versions, n_events = cursor.fetchone()
    cursor.close()
    if not (n_versions and n_events):
        return commit(self, dbapi_connection)
    Path(marker).write_text("rows flushed, transaction open")
    while True:
        time.sleep(60)

DefaultDialect.do_commit = commit_or_hang
document = {"patient_id": patient_id, "stage": "IV", "note": "never committed"}
store.import_document(
    patient_id, document, source_name="doomed.yaml", source_format="yaml", source_text="x: 1\\n"
)
raise SystemExit("import_document returned: its commit was never intercepted")
"""

EXISTING = {"patient_id": "P-OLD", "stage": "II"}


def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the store's tables, read directly (reading via Store would audit).

    A plain engine, not the store's: that one begins SQLite transactions with BEGIN
    IMMEDIATE, which would wait for the child's write lock.
    """
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                "patients": [tuple(r) for r in connection.execute(select(PatientRow.__table__))],
                "case_versions": [
                    tuple(r) for r in connection.execute(select(CaseVersionRow.__table__))
                ],
                "audit_events": [
                    tuple(r) for r in connection.execute(select(AuditEventRow.__table__))
                ],
            }
    finally:
        engine.dispose()


def _assert_transaction_open_with_writes(url: str) -> None:
    """Prove the child is inside a write transaction, holding uncommitted rows."""
    if url.startswith("sqlite"):
        database = Path(url.removeprefix("sqlite:///"))
        # Write-ahead log: uncommitted pages stay in the writer's cache; the log file exists.
        assert database.with_name(database.name + "-wal").exists()
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                probe.execute("BEGIN IMMEDIATE")
        finally:
            probe.close()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            writers = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state = 'idle in transaction' AND backend_xid IS NOT NULL"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert writers == 1


@pytest.mark.slow
@pytest.mark.parametrize("patient_id", ["P-NEW", "P-OLD"])
def test_killed_import_leaves_database_unchanged(
    db_url: str, tmp_path: Path, patient_id: str
) -> None:
    with Store.open(db_url, actor="tester") as store:
        store.import_document(
            "P-OLD", EXISTING, source_name="old.yaml", source_format="yaml", source_text="old\n"
        )
    before = _snapshot(db_url)

    marker = tmp_path / "flushed"
    env = {**os.environ, "PYTHONPATH": str(Path(oncoboard.__file__).parents[1])}
    log = tmp_path / "child.log"
    with log.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, db_url, str(marker), patient_id],
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, f"child exited early:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"child never reached commit:\n{log.read_text()}"
            time.sleep(0.02)
        _assert_transaction_open_with_writes(db_url)
        assert _snapshot(db_url) == before  # uncommitted rows are invisible
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert _snapshot(db_url) == before
    with Store.open(db_url) as store:
        assert [v.version for v in store.versions("P-OLD")] == [1]
        assert store.get("P-OLD").document == EXISTING
        document = {"patient_id": patient_id, "stage": "IV", "note": "committed this time"}
        result = store.import_document(
            patient_id, document, source_name="ok.yaml", source_format="yaml", source_text="y\n"
        )
        assert (result.version, result.outcome) == (
            (1, "created") if patient_id == "P-NEW" else (2, "new_version")
        )
        assert store.get(patient_id).document == document
        assert "doomed" not in {e.actor for e in store.audit_events()}
