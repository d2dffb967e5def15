"""Where the node agent keeps what it knows about each pod on disk.

The agent writes this layout; the kubelet API (logs, exec) and the tests only read it:

    PODS_DIR/<pod uid>/pod.json                    namespace, name, uid, node, netns, ip
    PODS_DIR/<pod uid>/volumes/<volume name>/      the pod's volumes as host folders
    PODS_DIR/<pod uid>/containers/<name>/<n>.log   output (stdout and stderr) of run n (0, 1, ...)
    PODS_DIR/<pod uid>/containers/<name>/pid       PID of the current run's main process
    PODS_DIR/<pod uid>/containers/<name>/launch-<n>.json   argv, env, mounts, hostname of run n
"""

import json
from dataclasses import dataclass

from testbed import config
from testbed.procfs import running


@dataclass
class PodRecord:
    namespace: str
    name: str
    uid: str
    node: str
    netns: str
    ip: str

    @property
    def directory(self):
        return config.PODS_DIR / self.uid


def write_pod(record):
    record.directory.mkdir(parents=True, exist_ok=True)
    tmp = record.directory / "pod.json.tmp"
    tmp.write_text(json.dumps(record.__dict__))
    tmp.replace(record.directory / "pod.json")


def find_pod(namespace, name):
    """The record of the pod ``namespace/name`` on this machine, or None."""
    if not config.PODS_DIR.exists():
        return None
    for path in config.PODS_DIR.glob("*/pod.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("namespace") == namespace and data.get("name") == name:
            return PodRecord(**data)
    return None


def container_dir(record, container):
    return record.directory / "containers" / container


def log_path(record, container, run):
    return container_dir(record, container) / ("%d.log" % run)


def log_runs(record, container):
    """The run numbers that have a log, oldest first."""
    runs = []
    for path in container_dir(record, container).glob("*.log"):
        if path.stem.isdigit():
            runs.append(int(path.stem))
    return sorted(runs)


def container_pid(record, container):
    """PID of the container's current main process, or None if it is not running."""
    try:
        pid = int((container_dir(record, container) / "pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if running(pid) else None


def any_container_pid(record):
    """PID of a running container of the pod (all share its network namespace), or None."""
    folder = record.directory / "containers"
    for container in sorted(path.name for path in folder.iterdir()) if folder.is_dir() else ():
        pid = container_pid(record, container)
        if pid is not None:
            return pid
    return None


def launch_env(record, container):
    """The environment the container's current run was started with, or None if unknown.

    /proc/<pid>/environ is no substitute: programs such as redis-server overwrite that
    memory with their process title.
    """
    runs = log_runs(record, container)
    if not runs:
        return None
    try:
        return json.loads((container_dir(record, container) / ("launch-%d.json" % runs[-1])).read_text())["env"]
    except (OSError, ValueError, KeyError):
        return None


def write_container_pid(record, container, pid):
    folder = container_dir(record, container)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pid").write_text(str(pid))
