"""Fresh redis-server processes on 127.0.0.1 for one measurement: start, wait ready, stop, clean up."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

# The settings the redis_cluster role writes into redis.conf (roles/redis_cluster/templates).
ROLE_SETTINGS = [
    "--appendonly", "yes",
    "--save", "900 1",
    "--cluster-enabled", "yes",
    "--cluster-node-timeout", "5000",
    "--repl-diskless-sync", "yes",
    "--repl-diskless-sync-max-replicas", "1",
]
# Redis refuses cluster_state:ok for 2 s after it starts (CLUSTER_WRITABLE_DELAY).
WRITABLE_DELAY = 2.2


class Servers:
    """``count`` redis-server processes on ports ``base_port``..., each in its own temp dir."""

    def __init__(self, count, base_port, settings=None, password=None):
        self.count = count
        self.ports = [base_port + i for i in range(count)]
        self.settings = list(ROLE_SETTINGS if settings is None else settings)
        self.password = password
        self.root = tempfile.mkdtemp(prefix="redis-bench-")
        self.processes = []

    @property
    def addresses(self):
        return ["127.0.0.1:%d" % port for port in self.ports]

    def start(self, timeout=20.0):
        _refuse_busy(self.ports)
        for port in self.ports:
            directory = os.path.join(self.root, str(port))
            os.mkdir(directory)
            self.processes.append(self._launch(port, directory))
        self._wait_listening(self.ports, timeout)
        return self

    def wait_writable(self):
        """Return once the servers are past Redis's writable delay after their start."""
        time.sleep(max(0.0, WRITABLE_DELAY - (time.monotonic() - self.started)))

    def restart_elsewhere(self, offset, count=None, timeout=20.0):
        """Stop the first ``count`` servers (all by default) and start each again ``offset`` ports higher.

        Each keeps its folder (nodes.conf, data): like pods recreated with new IPs, every member
        knows the others only at addresses nobody listens on any more.
        """
        count = len(self.ports) if count is None else count
        for process in self.processes[:count]:
            process.terminate()
            process.wait()
        moved = [port + offset for port in self.ports[:count]]
        _refuse_busy(moved)
        self.processes[:count] = [self._launch(port, os.path.join(self.root, str(old)))
                                  for old, port in zip(self.ports[:count], moved, strict=True)]
        self.ports[:count] = moved
        self._wait_listening(moved, timeout)
        return moved

    def _launch(self, port, directory):
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                "--cluster-config-file", "nodes.conf", "--logfile", "redis-%d.log" % port] + self.settings
        if self.password:
            argv += ["--requirepass", self.password, "--masterauth", self.password]
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _wait_listening(self, ports, timeout):
        deadline = time.monotonic() + timeout
        for port in ports:
            while not _listening(port):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server on port %d did not listen within %.0f s" % (port, timeout))
                time.sleep(0.01)
        self.started = time.monotonic()

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.processes = []
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _refuse_busy(ports):
    for port in ports:
        if _listening(port):
            raise RuntimeError("port %d is already in use: stop whatever listens there first" % port)


def _listening(port):
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
