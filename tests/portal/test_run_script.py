"""bin/run (`make run`): what it hands the processes it starts."""

import os
import socket
import stat
import subprocess

from tests.processes import ROOT

# Stands in for every program bin/run starts: records SITE_URL, prints nothing bin/run parses, exits.
FAKE = """#!/bin/sh
echo "$SITE_URL" >> "{record}"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(tmp_path, **env_extra) -> set[str]:
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    record = tmp_path / "site_url"
    for program in ("python", "gunicorn", "celery"):
        path = venv_bin / program
        path.write_text(FAKE.format(record=record))
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    env.update(VENV=str(tmp_path / "venv"), **env_extra)
    # The fake web server exits at once, so bin/run stops the others and exits 1.
    subprocess.run([str(ROOT / "bin" / "run")], cwd=ROOT, env=env, capture_output=True, timeout=120)
    return set(record.read_text().split())


def test_links_in_emails_follow_the_port_run_serves(tmp_path):
    port = free_port()
    assert run_script(tmp_path, PORT=str(port)) == {f"http://127.0.0.1:{port}"}


def test_a_site_url_that_is_set_wins(tmp_path):
    assert run_script(tmp_path, PORT=str(free_port()), SITE_URL="https://minsheng.example.gov.cn") == {
        "https://minsheng.example.gov.cn"
    }
