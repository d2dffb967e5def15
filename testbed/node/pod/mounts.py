"""Step 2 of a pod's life: its volumes, provided before any container starts and retried
(FailedMount, 0.5 s doubling up to RETRY_MAX) while one cannot be.
"""

import logging
import time

from testbed.node import volumes

log = logging.getLogger("testbed.node.worker")

RETRY_MAX = 8.0  # cap of the retry delay for volumes and container configuration


class Mounts:
    """The mounts steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

    def _mount_volumes(self):
        if self.terminating:
            return
        if self.builder is None:
            self.builder = volumes.VolumeBuilder(self.kube, self._pod_with_addresses(), self.record.directory)
        try:
            self.volumes = self.builder.build()
            log.info("%s: volumes ready (%.0f ms after the pod was seen)", self.key,
                     (time.monotonic() - self.seen_at) * 1000)
        except Exception as e:  # noqa: BLE001 - the API server unreachable is a retryable mount failure too
            if not isinstance(e, volumes.MountError):
                e = volumes.MountError(str(e), retry=True, volume="?")
            self._warn("FailedMount", 'MountVolume.SetUp failed for volume "%s" : %s' % (e.volume, e))
            if e.retry:
                self._after(self.retry_delay, self._mount_volumes)
                self.retry_delay = min(RETRY_MAX, self.retry_delay * 2)
            return
        self.retry_delay = 0.5
        self._advance()
        self._after(volumes.REFRESH_SECONDS, self._refresh_volumes)

    def _refresh_volumes(self):
        if self.terminating:
            return
        self.builder.refresh()
        self._after(volumes.REFRESH_SECONDS, self._refresh_volumes)
