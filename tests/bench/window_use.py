"""What the window benchmarks share (window_probe.py, window_soak.py): a manager as "You",
and the process's resident memory. Importing it starts nothing: the probe times its own
start."""

from pathlib import Path


def act_as_a_manager(window) -> None:
    """"You" is a manager, who may triage any lead (a rep only their own and the pool's)."""
    manager = next(uid for uid, _name, _email, role in window.store.users() if role == "manager")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.filters.flush()


def resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024
