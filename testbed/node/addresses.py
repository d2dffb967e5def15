"""Pod addresses of one node: 10.244.N.2-254, handed out round-robin like CNI's host-local IPAM.

Round-robin rather than lowest-free: a pod recreated right after its predecessor was
deleted gets a new address, as on a real cluster, so stale addresses show up as bugs.
"""

import threading

FIRST, LAST = 2, 254


class AddressPool:
    def __init__(self, node_index):
        self.prefix = "10.244.%d." % node_index
        self.lock = threading.Lock()
        self.used = set()
        self.last = FIRST - 1

    def allocate(self):
        with self.lock:
            for step in range(1, LAST - FIRST + 2):
                host = FIRST + (self.last - FIRST + step) % (LAST - FIRST + 1)
                if host not in self.used:
                    self.used.add(host)
                    self.last = host
                    return self.prefix + str(host)
        raise RuntimeError("node %s*: all %d pod addresses are in use" % (self.prefix, LAST - FIRST + 1))

    def release(self, address):
        with self.lock:
            self.used.discard(int(address.rsplit(".", 1)[1]))
