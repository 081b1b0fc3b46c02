"""A real PostgreSQL server for the team-server tests: a throwaway cluster on 127.0.0.1,
started once for the session and removed after. `.ci/run` installs the server packages;
elsewhere the tests skip, saying why, when no server can be started."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid

import keyring
import pytest
from keyring.backend import KeyringBackend

OWNER_PASSWORD = "owner-of-the-test-cluster"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the team-server tests, but {reason}")
    pytest.skip(f"no PostgreSQL server for the team-server tests: {reason} "
                "(apt-get install postgresql, as .ci/run does)")


@pytest.fixture(scope="session")
def pg_cluster():
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        _unavailable("initdb is not installed")
    bin_dir = os.path.dirname(binaries[-1])
    data, sockets = tempfile.mkdtemp(prefix="wb-pg-"), tempfile.mkdtemp(prefix="wb-pgs-")
    as_postgres = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            _unavailable("running as root without runuser")
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    log = os.path.join(sockets, "server.log")
    # passwords over TCP (the team's roles log in with theirs); the socket trusts the owner
    password_file = os.path.join(sockets, "owner-password")
    with open(password_file, "w") as f:
        f.write(OWNER_PASSWORD)
    if as_postgres:
        shutil.chown(password_file, "postgres", "postgres")
    try:
        subprocess.run([*as_postgres, f"{bin_dir}/initdb", "-D", data, "--auth-local=trust",
                        "--auth-host=scram-sha-256", f"--pwfile={password_file}",
                        "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w",
                        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as problem:
        _unavailable(f"the server did not start ({problem})")
    yield f"postgresql://postgres:{OWNER_PASSWORD}@127.0.0.1:{port}"
    subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                   capture_output=True, timeout=120)
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(sockets, ignore_errors=True)


@pytest.fixture
def server_url(pg_cluster):
    """A fresh database on the test cluster for one test."""
    import psycopg

    name = f"team_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{pg_cluster}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{pg_cluster}/{name}"
    with psycopg.connect(f"{pg_cluster}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def role_url(server_url: str, role: str, password: str) -> str:
    return f"postgresql://{role}:{password}@{server_url.split('@', 1)[1]}"


@pytest.fixture
def team(server_url):
    """A set-up team server with two reps (ana, ben) and a manager (dana): their URLs."""
    from workbench.sync.server import add_account, init_server

    init_server(server_url)
    urls = {}
    for name, manager in (("ana", False), ("ben", False), ("dana", True)):
        role = add_account(server_url, email=f"{name}@sales.example", name=name.title(),
                           password=f"{name}-pw", manager=manager)
        urls[name] = role_url(server_url, role, f"{name}-pw")
    return urls


class MemoryKeyring(KeyringBackend):
    """The system keyring's stand-in: the tests never touch the user's own."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)
