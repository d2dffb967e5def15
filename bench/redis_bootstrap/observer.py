"""An independent observer: polls every server and notes when the cluster is up.

Both tools are judged by the same observer, not by their own exit: the clock stops when
every member says ``cluster_state:ok`` with all 16384 slots covered and knows all members
(``ok``), and when every replica's link to its master is up as well (``links``).
"""

import threading
import time

from tests.support.redis_cluster import cluster_up, raw_client

POLL = 0.02


class Observer(threading.Thread):
    def __init__(self, ports, replicas_expected, password=None, timeout=120.0):
        super().__init__(daemon=True)
        self.clients = [raw_client("127.0.0.1", port, password) for port in ports]
        self.replicas_expected = replicas_expected
        self.timeout = timeout
        self.t0 = None
        self.ok_at = None
        self.links_at = None
        self.done = threading.Event()

    def start_clock(self):
        self.t0 = time.monotonic()
        self.start()

    def _sample(self):
        ok = True
        linked = 0
        for client in self.clients:
            pipe = client.pipeline(transaction=False)
            pipe.execute_command("CLUSTER", "INFO")
            pipe.execute_command("INFO", "replication")
            info, replication = pipe.execute()
            if not cluster_up(info, len(self.clients)):
                ok = False
            if "role:slave" in replication and "master_link_status:up" in replication:
                linked += 1
        return ok, linked >= self.replicas_expected

    def run(self):
        deadline = self.t0 + self.timeout
        try:
            while time.monotonic() < deadline:
                ok, links = self._sample()
                now = time.monotonic() - self.t0
                if ok and self.ok_at is None:
                    self.ok_at = now
                if ok and links and self.links_at is None:
                    self.links_at = now
                if self.ok_at is not None and self.links_at is not None:
                    return
                time.sleep(POLL)
        finally:
            for client in self.clients:
                client.close()
            self.done.set()

    def wait(self):
        self.done.wait(self.timeout + 10)
        return self.ok_at, self.links_at
