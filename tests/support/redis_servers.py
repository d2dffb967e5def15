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
        for port in self.ports:
            if _listening(port):
                raise RuntimeError("port %d is already in use: stop whatever listens there first" % port)
        for port in self.ports:
            directory = os.path.join(self.root, str(port))
            os.mkdir(directory)
            argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                    "--cluster-config-file", "nodes.conf", "--logfile", "redis.log"] + self.settings
            if self.password:
                argv += ["--requirepass", self.password, "--masterauth", self.password]
            self.processes.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while not _listening(port):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server on port %d did not listen within %.0f s" % (port, timeout))
                time.sleep(0.01)
        self.started = time.monotonic()
        return self

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


def _listening(port):
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
