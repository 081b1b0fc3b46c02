"""A real PostgreSQL server for the team-server tests: a throwaway cluster on 127.0.0.1,
started once for the session and removed after. `.ci/run` installs the server packages;
elsewhere the tests skip, saying why, when no server can be started."""

import os
import uuid

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.sync.cluster import Unavailable, running_cluster


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the team-server tests, but {reason}")
    pytest.skip(f"no PostgreSQL server for the team-server tests: {reason} "
                "(apt-get install postgresql, as .ci/run does)")


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        with running_cluster() as cluster:
            yield cluster.url
    except Unavailable as problem:
        _unavailable(str(problem))


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
