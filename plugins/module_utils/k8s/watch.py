# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A list-then-watch feed of one kind of object, delivered to a queue by a background thread.

Kubernetes' own informers work this way: list once, watch from the list's
resourceVersion, resume from the last version seen when a watch ends, and list again when
the server says that version is gone (410). ``wait.Watcher`` reads any number of feeds
from one queue, so a wait wakes on whichever object changes first and never polls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import read_json

try:
    from kubernetes import watch as k8s_watch
except ImportError:  # the module reports the missing library before a feed is ever built
    k8s_watch = None


if k8s_watch is not None:

    class RawWatch(k8s_watch.Watch):
        """A Watch that hands out events as JSON dicts: no model is built for each event."""

        def get_return_type(self, func):
            return None

GONE = 410
# A watch the server ends after this long is resumed at once; the limit only bounds how
# long a silently dead connection can go unnoticed.
WATCH_SECONDS = 290
RETRY_SECONDS = 1.0

# Messages put on the queue: (key, kind, payload)
SYNC = "SYNC"  # payload: the complete list of objects (dicts)
EVENT = "EVENT"  # payload: (type, object) with type ADDED, MODIFIED or DELETED
ERROR = "ERROR"  # payload: the ApiException (or other error) that stopped a call


class Feed(threading.Thread):
    """Feeds ``(key, SYNC|EVENT|ERROR, payload)`` for the objects ``list_call(*args, **query)`` returns."""

    watch_class = RawWatch if k8s_watch is not None else None  # a test's fake stream replaces it

    def __init__(self, key, queue, list_call, *args, **query):
        super(Feed, self).__init__(name="feed-%s" % key)
        self.daemon = True  # the module exits without waiting for an open watch
        self.key = key
        self.queue = queue
        self.list_call = list_call
        self.args = args
        self.query = query
        self.stopped = threading.Event()
        self.synced = False  # a list has succeeded at least once
        self._watch = None

    def stop(self):
        self.stopped.set()
        if self._watch is not None:
            self._watch.stop()

    def run(self):
        version = None
        while not self.stopped.is_set():
            try:
                if version is None:
                    version = self._list()
                version = self._follow(version)
            # ApiException or a broken connection: either must reach the waiter, not end the thread silently.
            except Exception as error:  # noqa: BLE001
                if getattr(error, "status", None) == GONE:
                    version = None  # too old to resume from: list again
                    continue
                self.queue.put((self.key, ERROR, error))
                self.stopped.wait(RETRY_SECONDS)

    def _list(self):
        body = read_json(self.list_call, *self.args, **self.query)
        self.synced = True
        self.queue.put((self.key, SYNC, body.get("items") or []))
        return body["metadata"]["resourceVersion"]

    def _follow(self, version):
        """Watch from ``version`` until the server ends the watch; return the last version seen."""
        self._watch = self.watch_class()
        stream = self._watch.stream(
            self.list_call, *self.args,
            resource_version=version,
            allow_watch_bookmarks=True,
            timeout_seconds=WATCH_SECONDS,
            _request_timeout=(10, WATCH_SECONDS + 30),
            **self.query
        )
        for event in stream:
            obj = event.get("object") or {}
            version = obj.get("metadata", {}).get("resourceVersion") or version
            if event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                self.queue.put((self.key, EVENT, (event["type"], obj)))
            if self.stopped.is_set():
                break
        return version
