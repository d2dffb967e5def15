"""Step 6 of a pod's life: graceful deletion (preStop, SIGTERM, the grace period, SIGKILL),
then the sandbox, then the pod object, deleted with its uid as a precondition.
"""

import logging
import time

from kubernetes.client.rest import ApiException

from testbed.node.kube import raw

log = logging.getLogger("testbed.node.worker")

DEFAULT_GRACE = 30
SHUTDOWN_GRACE = 5  # the agent stopping: pods get at most this long
GONE_GRACE = 2  # the pod vanished from the API (force-deleted): same
FINAL_DELETE_SECONDS = 30  # how long the final delete of the pod object is retried


class Termination:
    """The termination steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

    def _grace(self):
        meta, spec = self.pod["metadata"], self.pod["spec"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
        return max(0, grace)

    def _begin_termination(self, why):
        self.terminating = why
        grace = self._grace()
        if why == "shutdown":
            grace = min(grace, SHUTDOWN_GRACE)
        elif why == "gone":
            grace = min(grace, GONE_GRACE)
        log.info("%s: stopping (%s), grace %ss", self.key, why, grace)
        for container in self.by_name.values():
            container.ready = False
            if not container.running:
                continue
            self._normal("Killing", "Stopping container %s" % container.name, container.name)
            pre_stop = (container.spec.get("lifecycle") or {}).get("preStop")
            if pre_stop and grace > 0 and why != "shutdown":
                self.agent.probe_pool.submit(self._pre_stop, container, container.run, pre_stop, grace)
            else:
                container.terminate()
        if grace <= 0:
            self._stop_all_now()
        else:
            self._after(grace, self._stop_all_now)

    def _stop_all_now(self):
        for container in self.by_name.values():
            container.kill()

    def _finish(self):
        self.done = True
        if self.terminating != "delete":
            return
        # Like the kubelet: the sandbox is gone before the pod object is.
        self._guarded(self._remove_sandbox)
        self._guarded(self._publish)
        deadline = time.monotonic() + FINAL_DELETE_SECONDS
        while True:
            try:
                raw(self.kube.core.delete_namespaced_pod, self.name, self.namespace,
                    body={"gracePeriodSeconds": 0, "preconditions": {"uid": self.uid}})
                log.info("%s: deleted", self.key)
                return
            except ApiException as e:
                if e.status in (404, 409):
                    return
                error = e.reason
            except Exception as e:  # noqa: BLE001 - the API server may be restarting: try again
                error = e
            if time.monotonic() > deadline:
                log.error("%s: the final delete failed: %s", self.key, error)
                return
            time.sleep(1)
