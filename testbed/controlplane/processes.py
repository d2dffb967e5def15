"""Start, find and stop the test bed's long-running processes, by PID file.

A PID file alone can outlive its process and name a recycled PID, so a process counts as
ours only if its command line still names the program we started.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

from testbed import config
from testbed.procfs import running


def pid_file(name):
    return config.RUN_DIR / (name + ".pid")


def running_pid(name, program=None):
    """The PID of the test bed process ``name`` if it is alive and still ours, else None."""
    return pid_from_file(pid_file(name), program)


def pid_from_file(path, program=None):
    """The PID named by ``path`` if that process is alive and runs ``program``, else None."""
    try:
        pid = int(path.read_text().split()[0])
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError, IndexError):
        return None
    # Right after exec, before the kernel has mapped the new program's arguments (a while
    # for a 100 MB binary), cmdline reads empty: the process is alive, just not done loading.
    if program and program not in cmdline and not (cmdline == "" and _alive(pid)):
        return None
    return pid


def start(name, argv, env=None):
    """Start ``argv`` detached (own session, so a terminal's Ctrl-C does not reach it), logging to LOG_DIR."""
    config.RUN_DIR.mkdir(parents=True, exist_ok=True)
    config.LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(config.LOG_DIR / (name + ".log"), "ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(os.environ, **(env or {})),
            close_fds=True,
        )
    pid_file(name).write_text("%d\n" % process.pid)
    return process


def stop(name, program=None, grace=10.0):
    """SIGTERM the process, SIGKILL it after ``grace`` seconds; remove its PID file. True if it was running."""
    pid = running_pid(name, program)
    if pid is not None:
        _terminate(pid, grace)
    pid_file(name).unlink(missing_ok=True)
    return pid is not None


def _terminate(pid, grace):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.02)


def _alive(pid):
    if running(pid):
        return True
    # A zombie is gone for our purposes; reap it if it is our child.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return False


def stop_pid_file(path, program, grace=10.0):
    """Stop the process a foreign PID file names (e.g. a server a role started). True if it ran."""
    pid = pid_from_file(path, program)
    if pid is not None:
        _terminate(pid, grace)
        path.unlink(missing_ok=True)
    return pid is not None


def kill_pids(pids, grace=5.0):
    for pid in pids:
        _terminate(pid, grace)
