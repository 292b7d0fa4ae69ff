"""Load test of the API on loopback: GET /api/v1/patients/{id}/plan under concurrent clients.

Starts the service like ``oncoboard serve`` (uvicorn, application factory, no access log) in
a subprocess on a free port with a temporary SQLite store holding the demo cases of
``examples/cases`` and a clinician with an API token, warms the findings cache (two requests
per patient and worker), loads the baseline ``GET /api/v1/me`` for ``--baseline-seconds``,
then runs ``--clients`` concurrent clients for ``--seconds`` in a separate process, cycling
over the patients. Prints and writes ``bench/results/load_api.json``: requests, errors,
requests per second, p50/p95/p99 latency, the same for the baseline and their ratios, and the
service time the server itself logged. ``make bench`` runs it too (``bench/run.py``).

Usage: ``python bench/load_api.py [--clients 50] [--seconds 30] [--workers 2] [--client raw]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from oncoboard.io import canonical_document, find_case_files, parse_case, read_document
from oncoboard.service._users import hash_password
from oncoboard.store import Store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def import_cases(store: Store, paths: list[Path]) -> list[str]:
    """Import case files into ``store`` (validated, canonical); return their patient ids."""
    ids = []
    for path in paths:
        document = read_document(path)
        case = parse_case(document)
        store.import_document(
            case.patient.id,
            canonical_document(case),
            source_name=path.name,
            source_format=document.format,
            source_text=document.text,
        )
        ids.append(case.patient.id)
    return ids


def _prepare(url: str) -> tuple[list[str], str]:
    """Import the demo cases, add a clinician; return the patient ids and an API token."""
    with Store.open(url, actor="bench") as store:
        ids = import_cases(store, find_case_files([ROOT / "examples" / "cases"]))
        store.create_user("bench", "clinician", hash_password(secrets.token_urlsafe(16)))
        token = store.create_api_token("bench", label="load test")[1]
    return ids, token


def _start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """``oncoboard serve`` on ``port`` (development settings, a fresh secret key)."""
    env = {
        **os.environ,
        "ONCOBOARD_ENV": "development",
        "ONCOBOARD_SECRET_KEY": secrets.token_urlsafe(48),
        "ONCOBOARD_DATABASE_URL": url,
    }
    command = [sys.executable, "-m", "oncoboard", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as stderr:
        return subprocess.Popen(command, env=env, stderr=stderr)


_ACCESS = re.compile(r'"GET (/api/v1/[^"]*)" (\d+) ([\d.]+)ms')


def _server_times(log: Path, route: str, skip: int) -> dict[str, float]:
    """Percentiles of the service time the server logged for ``route`` (its access log names
    route templates), leaving out the first ``skip`` requests (the warm-up)."""
    logged = [
        float(m.group(3))
        for m in _ACCESS.finditer(log.read_text(errors="replace"))
        if m.group(1) == route
    ]
    times = sorted(logged[skip:])
    if not times:
        return {}
    return {
        "p50": times[len(times) // 2],
        "p95": times[int(0.95 * len(times))],
        "p99": times[int(0.99 * len(times))],
    }


def _wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on {base} within {timeout} s")


async def _load(
    base: str, token: str, paths: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        # One client (one keep-alive connection) per simulated user: httpcore's shared pool
        # costs O(connections) per request, which would make the load generator the
        # bottleneck instead of the server.
        nonlocal errors
        n = index
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=base, headers=headers, limits=limits, timeout=30, trust_env=False
        ) as http:
            # Requests built once and re-sent (a GET has no body): building one per call
            # (URL merging, headers) costs the client more than the server spends.
            requests = [http.build_request("GET", path) for path in paths]
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await http.send(requests[n % len(requests)])
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok
                n += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return _figures(latencies, errors, elapsed)


def _figures(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    latencies = sorted(latencies)

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)

    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "latency_ms": {
            "mean": round(statistics.fmean(latencies) * 1000, 2),
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(latencies[-1] * 1000, 2),
        },
    }


async def _load_raw(
    base: str, token: str, paths: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    """The same load from a minimal HTTP/1.1 keep-alive client on asyncio streams (about a
    tenth of httpx's CPU per request), to measure the server rather than the client."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        n = index
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            request = (
                f"GET {paths[n % len(paths)]} HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n"
            )
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            errors += not head.startswith(b"HTTP/1.1 200 ")
            n += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return _figures(latencies, errors, time.perf_counter() - started)


def _client_process(
    base: str, token: str, paths: list[str], clients: int, seconds: float, raw: bool, out: Any
) -> None:
    # uvloop (installed with uvicorn[standard]) halves the client's CPU per request; on two
    # cores the load generator competes with the server for the CPU.
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        uvloop = None
    load = (_load_raw if raw else _load)(base, token, paths, clients, seconds)
    out.put(asyncio.run(load) if uvloop is None else uvloop.run(load))


def _run_clients(
    base: str, token: str, paths: list[str], clients: int, seconds: float, raw: bool
) -> dict[str, Any]:
    """Run the load from a separate process (so client and server do not share a GIL)."""
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(
        target=_client_process, args=(base, token, paths, clients, seconds, raw, queue)
    )
    process.start()
    figures: dict[str, Any] = queue.get(timeout=seconds + 120)
    process.join()
    return figures


def run(
    clients: int = 50,
    seconds: float = 30.0,
    baseline_seconds: float = 10.0,
    workers: int = 2,
    client: str = "raw",
) -> dict[str, Any]:
    """Serve the demo cohort, load ``GET /api/v1/me`` (the baseline: authentication and JSON,
    no patient data) then ``GET /api/v1/patients/{id}/plan`` with ``clients`` clients."""
    raw = client == "raw"
    with tempfile.TemporaryDirectory(prefix="oncoboard-load-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        ids, token = _prepare(url)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        server = _start_server(url, port, workers, log)
        plan_paths = [f"/api/v1/patients/{patient_id}/plan" for patient_id in ids]
        try:
            _wait_ready(base)
            for _ in range(workers * 2):  # fill each worker's findings cache
                for path in plan_paths:
                    response = httpx.get(
                        base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60
                    )
                    response.raise_for_status()
            baseline = _run_clients(base, token, ["/api/v1/me"], clients, baseline_seconds, raw)
            plan = _run_clients(base, token, plan_paths, clients, seconds, raw)
        finally:
            server.terminate()
            server.wait(timeout=30)
        served = _server_times(log, "/api/v1/patients/{patient_id}/plan", workers * 2 * len(ids))
    return {
        "benchmark": "load_api",
        "endpoint": "GET /api/v1/patients/{patient_id}/plan",
        "baseline_endpoint": "GET /api/v1/me",
        "clients": clients,
        "workers": workers,
        "client": client,
        "patients": len(ids),
        "database": "sqlite (WAL)",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        **plan,
        "baseline": baseline,
        "ratio_to_baseline": {
            "p95": round(plan["latency_ms"]["p95"] / baseline["latency_ms"]["p95"], 2),
            "rps": round(plan["rps"] / baseline["rps"], 2),
        },
        "server_time_ms": served,
        "target": "p95 < 100 ms, 0 errors (issue 7)",
        "target_met": plan["errors"] == 0 and plan["latency_ms"]["p95"] < 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="a minimal asyncio HTTP/1.1 client (default; light, so the server is measured) "
        "or httpx async clients (about ten times the client CPU per request).",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "load_api.json")
    args = parser.parse_args()
    result = run(args.clients, args.seconds, args.baseline_seconds, args.workers, args.client)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
