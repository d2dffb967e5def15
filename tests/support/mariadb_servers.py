"""Fresh mariadbd processes on 127.0.0.1 with the role's replication settings: start, wait, stop, clean up.

Shared by bench/mysql_seed, tests/integration/mysql and the unit-test fixture capture
(tests/unit/plugins/module_utils/mysql/fixtures/capture.py). Runs as root (``--user=root``),
each server in its own temp dir, loopback only.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from testbed.testing import collections_path  # noqa: E402

sys.path.insert(0, str(collections_path()))
import pymysql  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql import config  # noqa: E402

ROOT_PASSWORD = "bench-root-pw"


class Server:
    def __init__(self, root, ordinal, port):
        self.ordinal = ordinal
        self.port = port
        self.dir = os.path.join(root, "mysql-%d" % ordinal)
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.cnf = os.path.join(self.dir, "my.cnf")
        self.process = None

    @property
    def name(self):
        return "mysql-%d" % self.ordinal

    def connect(self, user="root", password=ROOT_PASSWORD, **kwargs):
        return pymysql.connect(host="127.0.0.1", port=self.port, user=user, password=password, autocommit=True,
                               **kwargs)

    def query(self, sql, args=None):
        with self.connect() as conn, conn.cursor(pymysql.cursors.DictCursor) as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()

    def client(self):
        """The server's own client, authenticated by a defaults file (never a password argument)."""
        return ["mariadb", "--defaults-extra-file=" + os.path.join(self.dir, "client.cnf"), "--protocol=tcp",
                "-h127.0.0.1", "-P%d" % self.port, "-uroot"]


class Servers:
    """``count`` mariadbd on ports ``base_port``...; ``add()`` starts one more."""

    def __init__(self, count, base_port, version="10.11", settings=None):
        self.base_port = base_port
        self.version = version
        self.settings = settings or {}
        self.root = tempfile.mkdtemp(prefix="mysql-bench-")
        self.servers = []
        self.count = count

    def start(self):
        try:
            for _server in range(self.count):
                self.add()
        except BaseException:
            self.stop()
            raise
        return self

    def add(self):
        ordinal = len(self.servers)
        server = Server(self.root, ordinal, self.base_port + ordinal)
        if _listening(server.port):
            raise RuntimeError("port %d is already in use: stop whatever listens there first" % server.port)
        os.makedirs(server.dir)
        settings = config.common_settings("mariadb", self.version) + config.ordinal_settings(ordinal)
        settings += [("port", str(server.port)), ("bind_address", "127.0.0.1"), ("socket", server.socket),
                     ("datadir", server.datadir), ("user", "root"), ("innodb_buffer_pool_size", "64M"),
                     ("log_error", os.path.join(server.dir, "error.log"))]
        settings += sorted(self.settings.items())
        Path(server.cnf).write_text(config.render(settings))
        Path(os.path.join(server.dir, "client.cnf")).write_text("[client]\npassword=%s\n" % ROOT_PASSWORD)
        subprocess.run(["mariadb-install-db", "--defaults-file=" + server.cnf, "--skip-test-db",
                        "--auth-root-authentication-method=normal"], check=True, capture_output=True)
        self.servers.append(server)
        self._launch(server)
        # root gets its password over the socket, without binary logging, as the image's entrypoint does
        subprocess.run(["mariadb", "--protocol=socket", "-S", server.socket, "-uroot"], check=True, text=True,
                       input="SET SQL_LOG_BIN=0; "
                             "DELETE FROM mysql.global_priv WHERE user='' OR (user='root' AND host!='localhost'); "
                             "FLUSH PRIVILEGES; ALTER USER root@localhost IDENTIFIED BY '%s'; "
                             "CREATE USER root@'%%' IDENTIFIED BY '%s'; "
                             "GRANT ALL ON *.* TO root@'%%' WITH GRANT OPTION;\n"
                             % (ROOT_PASSWORD, ROOT_PASSWORD))
        return server

    def _launch(self, server, timeout=60):
        with open(os.path.join(server.dir, "stdout.log"), "ab") as log:
            server.process = subprocess.Popen(["mariadbd", "--defaults-file=" + server.cnf], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while not os.path.exists(server.socket) or not _listening(server.port):
            if server.process.poll() is not None:
                raise RuntimeError("mariadbd %s exited: see %s/error.log" % (server.name, server.dir))
            if time.monotonic() > deadline:
                raise RuntimeError("mariadbd %s did not listen within %ds" % (server.name, timeout))
            time.sleep(0.1)

    def stop_one(self, server):
        if server.process and server.process.poll() is None:
            server.process.terminate()
            server.process.wait(60)

    def restart(self, server):
        self.stop_one(server)
        self._launch(server)

    def stop(self):
        for server in self.servers:
            self.stop_one(server)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _listening(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
