"""A throwaway PostgreSQL cluster on 127.0.0.1, for the team-server tests (conftest's
pg_cluster) and the server benchmarks: started in a temporary folder, listening on loopback
only, removed after."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

OWNER_PASSWORD = "owner-of-the-test-cluster"


class Unavailable(Exception):
    """No cluster can be started here; the message says why."""


@dataclass(frozen=True)
class Cluster:
    url: str  # the owner's URL, without a database
    data: str  # the data folder: its postmaster.pid names the server's process

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far: the postmaster's own, its live processes'
        (one per connection, and the background writers), and that of those which ended
        (the postmaster waits for each, so theirs is added to its children's time)."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        ticks = 0
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # a process that ended meanwhile
                continue
            pid, parent = int(stat.split("/")[2]), int(fields[1])
            if pid == postmaster:  # utime, stime, then those of waited-for children
                ticks += sum(int(v) for v in fields[11:15])
            elif parent == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_cluster(**settings: str | int) -> Iterator[Cluster]:
    """A new cluster, its owner `postgres` with OWNER_PASSWORD over TCP; `settings` are
    server settings (max_connections=300...)."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise Unavailable("initdb is not installed")
    bin_dir = os.path.dirname(binaries[-1])
    data, sockets = tempfile.mkdtemp(prefix="wb-pg-"), tempfile.mkdtemp(prefix="wb-pgs-")
    as_postgres = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            raise Unavailable("running as root without runuser")
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
    options = " ".join([f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}",
                        *(f"-c {name}={value}" for name, value in settings.items())])
    try:
        try:
            subprocess.run([*as_postgres, f"{bin_dir}/initdb", "-D", data,
                            "--auth-local=trust", "--auth-host=scram-sha-256",
                            f"--pwfile={password_file}", "-U", "postgres", "-E", "UTF8",
                            "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
            subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w",
                            "-o", options, "start"], check=True, capture_output=True,
                           timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired,
                OSError) as problem:
            raise Unavailable(f"the server did not start ({problem})") from None
        try:
            yield Cluster(f"postgresql://postgres:{OWNER_PASSWORD}@127.0.0.1:{port}", data)
        finally:
            subprocess.run([*as_postgres, f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w",
                            "stop"], capture_output=True, timeout=120)
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)
