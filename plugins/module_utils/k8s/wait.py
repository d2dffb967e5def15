# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way this collection waits for Kubernetes objects: watch them, judge each change, stop at one deadline.

``Watcher`` follows any number of list-then-watch feeds (``watch.Feed``) into one view of
the objects, as dicts, and asks a judge after each burst of changes; it wakes on the first
change and never polls. ``wait_for`` is the common case: one object, one named condition
from ``CONDITIONS``. A condition is a small function of the object (None when it does not
exist) that returns None when it holds, else a short text of what is still missing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import queue as queue_module
except ImportError:  # Python 2 is not supported; the name only keeps the import guard uniform
    queue_module = None

from ansible_collections.stateful.kube.plugins.module_utils.k8s import watch
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import generation_observed, get, name_of

# Errors that retrying cannot fix: the module's credentials lack a right.
FATAL_STATUS = (401, 403)


class WaitError(Exception):
    """A wait that cannot succeed (a missing right) or did not within its deadline (``WaitTimeout``)."""

    def __init__(self, message, obj=None):
        super(WaitError, self).__init__(message)
        self.message = message
        self.obj = obj  # the object as last seen, or None


class WaitTimeout(WaitError):
    pass


# -- conditions: object (dict or None) -> None when it holds, else what is missing --------------


def exists(obj):
    return None if obj is not None else "it does not exist yet"


def gone(obj):
    if obj is None:
        return None
    if get(obj, "metadata.deletionTimestamp"):
        return "it is being deleted (finalizers: %s)" % (", ".join(get(obj, "metadata.finalizers", [])) or "none")
    return "it still exists"


def _replicas_reached(obj, counted):
    """None when the controller saw the latest spec and ``status.<counted>`` and ``updatedReplicas`` reach
    ``spec.replicas``, else what is missing."""
    if obj is None:
        return exists(obj)
    wanted = get(obj, "spec.replicas", 1)
    if not generation_observed(obj):
        return "the controller has not observed generation %s yet" % get(obj, "metadata.generation")
    have, updated = get(obj, "status.%sReplicas" % counted, 0), get(obj, "status.updatedReplicas", 0)
    if have < wanted or updated < wanted:
        return "%s %d of %d, updated %d of %d" % (counted, have, wanted, updated, wanted)
    return None


def deployment_available(obj):
    """Every replica of the Deployment is updated and available."""
    return _replicas_reached(obj, "available")


def statefulset_rolled_out(obj):
    """Every replica of the StatefulSet is updated and Ready.

    A short test for domains that need no ordering; statefulset_wait_ordered judges each
    ordinal itself (statefulset.rollout).
    """
    return _replicas_reached(obj, "ready")


def claim_bound(obj):
    if obj is None:
        return exists(obj)
    phase = get(obj, "status.phase", "Pending")
    if phase != "Bound" or not get(obj, "spec.volumeName"):
        return "it is %s, not Bound" % phase
    return None


def pod_finished(obj):
    if obj is None:
        return exists(obj)
    phase = get(obj, "status.phase", "Pending")
    return None if phase in ("Succeeded", "Failed") else "it is %s" % phase


CONDITIONS = {
    "exists": exists,
    "gone": gone,
    "available": deployment_available,
    "rolled_out": statefulset_rolled_out,
    "bound": claim_bound,
    "finished": pod_finished,
}

# kind -> (typed API, list method, namespaced): what a Watcher follows for that kind.
LIST_CALLS = {
    "Pod": ("core", "list_namespaced_pod", True),
    "PersistentVolumeClaim": ("core", "list_namespaced_persistent_volume_claim", True),
    "PersistentVolume": ("core", "list_persistent_volume", False),
    "Deployment": ("apps", "list_namespaced_deployment", True),
    "StatefulSet": ("apps", "list_namespaced_stateful_set", True),
    "StorageClass": ("storage", "list_storage_class", False),
}


def list_call(clients, kind, namespace=None):
    """``(call, args)`` that lists objects of ``kind`` (in ``namespace`` when it is namespaced)."""
    api, method, namespaced = LIST_CALLS[kind]
    return getattr(getattr(clients, api), method), ((namespace,) if namespaced else ())


class Watcher:
    """Objects followed by feeds, and a loop that judges them after each burst of changes until ``deadline``.

    ``view(key)`` is ``{name: object}`` as last seen; ``initial(key)`` as the first list
    returned it; ``synced(key)`` whether a list succeeded; ``last_error`` the last failed
    list or watch, as text. ``feed`` (the feeds' class) and ``queue`` (where they deliver)
    are the seams a test replaces, with the deadline's clock.
    """

    def __init__(self, deadline, feed=None, queue=None):
        self.deadline = deadline
        self.feed = feed or watch.Feed
        self.queue = queue or queue_module.Queue()
        self.feeds = {}
        self._views = {}
        self._initial = {}
        self.last_error = None

    def follow(self, key, call, *args, **query):
        """Start following what ``call(*args, **query)`` lists (a typed API list method), as ``key``."""
        self._views[key] = {}
        self.feeds[key] = self.feed(key, self.queue, call, *args, **query)
        self.feeds[key].start()

    def following(self, key):
        return key in self.feeds

    def view(self, key):
        return self._views.get(key, {})

    def initial(self, key):
        return self._initial.get(key, {})

    def synced(self, key):
        return key in self._initial

    def stop(self):
        for feed in self.feeds.values():
            feed.stop()

    def run(self, judge, expired, on_change=None, on_error=None, recheck=None):
        """Wait until ``judge(now)`` returns something other than None, and return that.

        ``on_change(key, before, after, now)`` hears of every object that changed after its
        feed's first list (``before``/``after`` None when it appeared/went). ``on_error(key,
        error)`` hears of failed calls (raise to give up; feeds retry otherwise). While
        ``recheck()`` returns a number of seconds, the judge is also asked that often without
        a change (for rules that depend on time). At the deadline, returns ``expired()``
        (which usually raises). The feeds are stopped on the way out.
        """
        try:
            while True:
                if self.deadline.expired():
                    return expired()
                wait = self.deadline.remaining()
                every = recheck() if recheck else None
                if every:
                    wait = min(wait, every)
                try:
                    self._receive(self.queue.get(timeout=max(wait, 0.001)), on_change, on_error)
                    while not self.queue.empty():  # a burst (a list, 100 pods starting) is judged once
                        self._receive(self.queue.get_nowait(), on_change, on_error)
                except queue_module.Empty:
                    pass
                result = judge(self.deadline.now())
                if result is not None:
                    return result
        finally:
            self.stop()

    def _receive(self, item, on_change, on_error):
        key, kind, payload = item
        if kind == watch.ERROR:
            text = str(payload).strip()
            self.last_error = "%s feed: %s" % (key, text.splitlines()[0] if text else type(payload).__name__)
            if on_error:
                on_error(key, payload)
            return
        now = self.deadline.now()
        before = self._views[key]
        if kind == watch.SYNC:
            self._views[key] = dict((name_of(obj), obj) for obj in payload)
            if key not in self._initial:
                self._initial[key] = dict(self._views[key])
                return
            if on_change:
                for name in set(before) | set(self._views[key]):
                    if before.get(name) is not self._views[key].get(name):
                        on_change(key, before.get(name), self._views[key].get(name), now)
            return
        event, obj = payload
        name = name_of(obj)
        previous = before.get(name)
        if event == "DELETED":
            before.pop(name, None)
            obj = None
        else:
            before[name] = obj
        if on_change:
            on_change(key, previous, obj, now)


def wait_for(clients, kind, namespace, name, condition, deadline, watcher=Watcher):
    """Watch ``kind`` ``namespace/name`` until ``condition`` (a key of CONDITIONS) holds; return the object.

    Raises WaitTimeout at the deadline (with what was still missing, and the object as last
    seen) and WaitError at once when the credentials may not list or watch it. ``watcher``
    builds the Watcher from the deadline (a test's builds one with fake feeds).
    """
    check = CONDITIONS[condition]
    call, args = list_call(clients, kind, namespace)
    what = "%s %s" % (kind, "%s/%s" % (namespace, name) if args else name)
    watcher = watcher(deadline)
    seen = {"missing": "no answer from the API server yet"}

    def judge(_now):
        if not watcher.synced("object"):
            return None
        obj = watcher.view("object").get(name)
        seen["obj"], seen["missing"] = obj, check(obj)
        return None if seen["missing"] else (obj,)

    def refused(_key, error):
        if getattr(error, "status", None) in FATAL_STATUS:
            raise WaitError("cannot watch %s: %s %s; give the module's credentials list and watch rights on it"
                            % (what, error.status, getattr(error, "reason", error)))

    def expired():
        missing = seen["missing"]
        if not watcher.synced("object") and watcher.last_error:
            missing += " (last error: %s)" % watcher.last_error
        message = "%s not %s after %d s: %s" % (what, condition.replace("_", " "), round(deadline.seconds), missing)
        raise WaitTimeout(message, seen.get("obj"))

    watcher.follow("object", call, *args, field_selector="metadata.name=%s" % name)
    return watcher.run(judge, expired, on_error=refused)[0]
