"""Under gunicorn with several workers, one scrape counts the requests of every worker
(PROMETHEUS_MULTIPROC_DIR), whichever worker answers it, and every worker logs its
requests as JSON lines."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

REQUESTS = 20
# What the README tells operators to put in their gunicorn configuration.
GUNICORN_CONFIG = """
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own server
        return response.read().decode()


def healthz_count(exposition: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "tandem_http_requests_total"
        and sample.labels["endpoint"] == "operations.healthz"
    )


def answered_later(port: int, send) -> bytes:
    """Connect (a worker accepts and waits for the request), call ``send`` meanwhile,
    then send a GET /healthz: the calls inside ``send`` are answered by the other worker,
    so both workers serve requests."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
        time.sleep(0.3)  # long enough for one worker to take the connection
        send()
        held.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
    return answer


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    """Poll /healthz until it answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            get(f"{base}/healthz")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 30 s")


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    """The settings of a small deployment: a migrated SQLite database in ``tmp_path``."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.db'}",
        "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "gunicorn-test",
        "TANDEM_SEARCH_INDEXER": "off",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "TANDEM_LOG_FORMAT": "json",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "flask"), "--app", "portal", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


def test_a_scrape_counts_the_requests_of_every_worker(environment, tmp_path):
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [*command, "--config", str(config), "portal:create_app()"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(base, server)
        # A poll that timed out while the workers started may still have been answered.
        before = healthz_count(get(f"{base}/metrics"))

        def send_the_rest() -> None:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(get, [f"{base}/healthz"] * (REQUESTS - 1)))

        held = answered_later(port, send_the_rest)
        scrapes = [get(f"{base}/metrics") for _ in range(6)]
    finally:
        server.terminate()
        _output, errors = server.communicate(timeout=30)

    logged = [json.loads(line) for line in errors.decode().splitlines() if line.startswith("{")]
    probes = [line for line in logged if line.get("path") == "/healthz"]
    workers = {path.name for path in Path(environment["PROMETHEUS_MULTIPROC_DIR"]).iterdir()}
    counters = [name for name in workers if name.startswith("counter_")]
    assert held.startswith(b"HTTP/1.0 200")
    assert len(counters) == 2, workers
    assert before >= 1
    counted = [healthz_count(exposition) for exposition in scrapes]
    assert counted == [before + REQUESTS] * len(scrapes)
    assert len(probes) == before + REQUESTS
    assert all(line["logger"] == "portal.requests" and line["status"] == 200 for line in probes)
    assert len({line["request_id"] for line in probes}) == len(probes)
    assert "tandem_search_outbox_backlog 0.0" in scrapes[0]
