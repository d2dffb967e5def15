"""Step 1 and the end of step 6 of a pod's life: its network namespace, veth, address,
DNS files and state folder, created before anything else and removed after everything.
"""

import logging
import shutil
import time
from pathlib import Path

from testbed import network
from testbed.node import state
from testbed.procfs import running

log = logging.getLogger("testbed.node.worker")


class Sandbox:
    """The sandbox steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

    def _create_sandbox(self):
        address = self.node.pool.allocate()
        netns, veth = network.pod_link_names(self.uid)
        try:
            network.create_pod_namespace(netns, veth, address)
        except Exception:
            self.node.pool.release(address)
            raise
        self.record = state.PodRecord(self.namespace, self.name, self.uid, self.node.name, netns, address)
        state.write_pod(self.record)
        self.agent.dns.add_pod(self.uid, netns, self.namespace, self.hostname, self.pod["spec"].get("subdomain"),
                               address, self.pod["spec"].get("hostAliases"))
        log.info("%s: sandbox %s with %s on %s (%.0f ms after the pod was seen)", self.key, netns, address,
                 self.node.name, (time.monotonic() - self.seen_at) * 1000)

    def _pod_with_addresses(self):
        pod = dict(self.pod)
        pod["status"] = dict(self.pod.get("status") or {}, podIP=self.record.ip, hostIP=self.node.address,
                             podIPs=[{"ip": self.record.ip}])
        return pod

    def _remove_sandbox(self):
        """Kill whatever still runs in the pod's network namespace, wait until it is gone, remove the namespace."""
        netns = self.record.netns
        if netns not in network.list_namespaces():
            return
        pids = network.kill_namespace_processes(netns)
        deadline = time.monotonic() + 2
        while any(running(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.01)
        network.delete_pod_namespace(netns, network.pod_link_names(self.uid)[1])

    def _teardown(self):
        """Whatever still runs in the pod's namespace goes, then the namespace, its address and its files."""
        try:
            if self.record is not None:
                self._remove_sandbox()
                self.node.pool.release(self.record.ip)
                self.agent.dns.remove_pod(self.uid)
                shutil.rmtree(Path("/etc/netns") / self.record.netns, ignore_errors=True)
                shutil.rmtree(self.record.directory, ignore_errors=True)
        except Exception:  # noqa: BLE001 - teardown goes as far as it can
            log.exception("%s: teardown failed", self.key)
        finally:
            self.events.forget(self.uid)
            self.agent.worker_done(self)
