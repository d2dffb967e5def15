from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import queue
import types

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.wait import Watcher

# Objects as a real API server returned them, shared by the tests of every domain.
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "k8s", "fixtures")


@pytest.fixture
def load():
    """``load("pod_ready")``: a fresh copy of an object as the API server returned it (fixtures/*.json)."""

    def read(name):
        with open(os.path.join(FIXTURES, name + ".json")) as handle:
            return copy.deepcopy(json.load(handle))

    return read


# -- fakes at the seams of the I/O orchestrators -------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when told (or when a fake sleeps or a fake queue waits)."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class ScriptedQueue:
    """The queue feeds deliver to, holding scripted ``(at, key, kind, payload)`` items.

    An item comes out once its time has come and its key is followed (a feed started for
    it), in time order; a ``get`` that finds none due within its timeout moves the clock on
    by that timeout, as a real wait would have taken.
    """

    def __init__(self, clock, script=()):
        self.clock = clock
        self.script = sorted(script, key=lambda item: item[0])
        self.followed = []  # (key, call, args, query) of each feed started

    def add(self, at, key, kind, payload):
        self.script.append((at, key, kind, payload))
        self.script.sort(key=lambda item: item[0])

    def put(self, item):
        self.add(self.clock.now, *item)

    def _due(self, until):
        keys = set(follow[0] for follow in self.followed)
        for i, item in enumerate(self.script):
            if item[1] in keys and item[0] <= until:
                return i
        return None

    def get(self, timeout=None):
        i = self._due(self.clock.now + (timeout or 0))
        if i is None:
            self.clock.now += timeout or 0
            raise queue.Empty
        at, key, kind, payload = self.script.pop(i)
        self.clock.now = max(self.clock.now, at)
        return key, kind, payload

    def get_nowait(self):
        return self.get(0)

    def empty(self):
        return self._due(self.clock.now) is None


def fake_watcher(clock, script=()):
    """``(watcher, queue)``: builds k8s.wait.Watchers whose feeds deliver the scripted items of ``queue``."""
    scripted = ScriptedQueue(clock, script)

    class FakeFeed:
        def __init__(self, key, _queue, call, *args, **query):
            self.key, self.call, self.args, self.query = key, call, args, query
            self.stopped = False

        def start(self):
            scripted.followed.append((self.key, self.call, self.args, self.query))

        def stop(self):
            self.stopped = True

    return (lambda deadline: Watcher(deadline, FakeFeed, scripted)), scripted


class Response:
    """What a typed API call returns with ``_preload_content=False``."""

    def __init__(self, body):
        self.data = json.dumps(body).encode()


class FakeApi:
    """A typed API (CoreV1Api...): each method answers from ``answers[name](*args, **kwargs)``.

    A missing answer raises ApiException 404; every call is recorded in ``calls``.
    """

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name not in self.answers:
                raise ApiException(status=404, reason="Not Found")
            value = self.answers[name](*args, **kwargs)
            return Response(value) if kwargs.get("_preload_content") is False else value

        call.__name__ = name
        return call


class FakeClients:
    """``k8s.client.Clients`` with fake typed APIs (and, for k8s.store, a fake dynamic client)."""

    def __init__(self, core=None, apps=None, storage=None, dynamic=None):
        self.core = core or FakeApi()
        self.apps = apps or FakeApi()
        self.storage = storage or FakeApi()
        self.dynamic = dynamic

    def resource(self, api_version, kind):
        return self.dynamic.resource(api_version, kind)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fakes():
    """The fakes above, for tests that build their own."""
    return types.SimpleNamespace(Clock=FakeClock, watcher=fake_watcher, Api=FakeApi, Clients=FakeClients,
                                 Response=Response)
