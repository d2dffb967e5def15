"""Following objects as the API server changes them: list once, then watch from there.

Benchmarks time events by when the watch delivers them (their own clock, independent of
the tool being measured); tests use the same feed to see every state an object went
through. One loop for all: list, hand each object over, watch from the list's
resourceVersion, list again when the server says that version has expired (410).
"""

import json
import threading


class ListWatch(threading.Thread):
    """Calls ``handle(event_type, obj)`` for each object of ``list_call(*args, **selectors)``, in its own thread.

    ``obj`` is the object as the API returns it (a dict, not a model). The listed objects
    come first with event type ``"LISTED"``, then every watch event (``ADDED``,
    ``MODIFIED``, ``DELETED``). ``synced`` is set after the first list: from then on no
    change is missed. ``stop()`` ends the thread at once.
    """

    def __init__(self, list_call, *args, handle, watch_timeout=60, **selectors):
        super().__init__(daemon=True)
        self.list_call = list_call
        self.args = args
        self.selectors = selectors
        self.handle = handle
        self.watch_timeout = watch_timeout
        self.synced = threading.Event()
        self._stopped = threading.Event()
        self._response = None

    def run(self):
        from kubernetes.watch.watch import iter_resp_lines

        version = None
        while not self._stopped.is_set():
            if version is None:
                listed = json.loads(self.list_call(*self.args, _preload_content=False, **self.selectors).data)
                version = listed["metadata"]["resourceVersion"]
                for item in listed["items"]:
                    self.handle("LISTED", item)
                self.synced.set()
            self._response = self.list_call(*self.args, watch=True, resource_version=version,
                                            timeout_seconds=self.watch_timeout, _preload_content=False,
                                            **self.selectors)
            try:
                for line in iter_resp_lines(self._response):
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    if event["type"] == "ERROR":
                        if event["object"].get("code") != 410:
                            raise RuntimeError("watch error: %s" % event["object"].get("message"))
                        version = None  # expired: list again
                        break
                    version = event["object"]["metadata"]["resourceVersion"]
                    self.handle(event["type"], event["object"])
            except Exception:  # noqa: BLE001 - stop() closes the response under the loop
                if not self._stopped.is_set():
                    raise
            finally:
                self._response.release_conn()

    def stop(self):
        self._stopped.set()
        response = self._response
        if response is not None:
            # shutdown() ends the socket under the read this thread is blocked in; close()
            # alone would wait for that read (the buffered reader's lock) until the watch
            # sends something: bench.wait_ordered hung there for minutes on 1.37.
            if hasattr(response, "shutdown"):  # urllib3 2.3 and later
                response.shutdown()
            response.close()

    def __enter__(self):
        self.start()
        self.synced.wait(30)
        return self

    def __exit__(self, *exc):
        self.stop()
