"""A list-then-watch loop that resumes from the last resourceVersion and relists when it is gone (410).

One thread per watched collection calls ``handler(event_type, obj)`` with plain dicts;
a relist reports ``SYNC`` with the full list so the handler can drop what disappeared.
"""

import json
import logging
import threading
import time

from kubernetes.client.rest import ApiException
from kubernetes.watch.watch import iter_resp_lines

log = logging.getLogger(__name__)

WATCH_SECONDS = 240


class Informer:
    def __init__(self, name, list_call, handler, **selectors):
        self.name = name
        self.list_call = list_call
        self.handler = handler
        self.selectors = selectors
        self.stopped = threading.Event()
        self.synced = threading.Event()
        self.thread = threading.Thread(target=self._run, name="watch-" + name, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        # Only a flag: closing the response under the reading thread can block the caller.
        # The thread is a daemon, blocked in a read at worst, and goes with the process.
        self.stopped.set()

    def _list(self):
        response = self.list_call(_preload_content=False, **self.selectors)
        body = json.loads(response.data)
        self.handler("SYNC", body["items"])
        self.synced.set()
        return body["metadata"]["resourceVersion"]

    def _run(self):
        version = None
        while not self.stopped.is_set():
            try:
                if version is None:
                    version = self._list()
                version = self._watch_from(version)
            except ApiException as e:
                if e.status == 410:
                    log.info("%s: resourceVersion %s is gone, relisting", self.name, version)
                else:
                    log.warning("%s: watch failed (%s), relisting in 1 s", self.name, e.reason)
                    self.stopped.wait(1)
                version = None
            except Exception:  # noqa: BLE001 - a watch must survive anything and relist
                if self.stopped.is_set():
                    return
                log.exception("%s: watch broke, relisting in 1 s", self.name)
                self.stopped.wait(1)
                version = None

    def _watch_from(self, version):
        # Our own stream rather than watch.Watch: it reports ERROR events (410) to us
        # instead of retrying on its own, and leaves objects as dicts.
        response = self.list_call(
            watch=True,
            resource_version=version,
            timeout_seconds=WATCH_SECONDS,
            allow_watch_bookmarks=True,
            _preload_content=False,
            **self.selectors,
        )
        try:
            for line in iter_resp_lines(response):
                if self.stopped.is_set():
                    break
                if not line:
                    continue
                version = self._dispatch(json.loads(line), version)
        finally:
            response.release_conn()
        return version

    def _dispatch(self, event, version):
        kind, obj = event["type"], event["object"]
        if kind == "ERROR":
            raise ApiException(status=obj.get("code", 500), reason=obj.get("message", ""))
        version = obj.get("metadata", {}).get("resourceVersion", version)
        if kind != "BOOKMARK":
            try:
                self.handler(kind, obj)
            except Exception:  # noqa: BLE001 - one bad object must not stop the watch
                log.exception("%s: handling %s failed", self.name, kind)
        return version


def wait_synced(informers, timeout=30.0):
    deadline = time.monotonic() + timeout
    for informer in informers:
        informer.synced.wait(max(0.0, deadline - time.monotonic()))
