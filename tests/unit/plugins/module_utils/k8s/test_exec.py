from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s import exec as pod_exec


class FakeStream:
    """An exec stream that answers ``replies`` (stdout, stderr) one update at a time, then closes."""

    def __init__(self, replies, closes=True):
        self.replies = list(replies)
        self.closes = closes
        self.stdin = []
        self.now = ("", "")
        self.closed = False

    def write_stdin(self, data):
        self.stdin.append(data)

    def is_open(self):
        return not self.closed and (bool(self.replies) or not self.closes)

    def update(self, timeout=None):
        self.now = self.replies.pop(0) if self.replies else ("", "")

    def peek_stdout(self):
        return bool(self.now[0])

    def read_stdout(self):
        return self.now[0]

    def peek_stderr(self):
        return bool(self.now[1])

    def read_stderr(self):
        return self.now[1]

    def close(self):
        self.closed = True


class ApiClient:
    configuration = object()


def with_stream(monkeypatch, ws, opened):
    def stream(method, pod, namespace, **kwargs):
        opened.append((pod, namespace, kwargs))
        return ws

    monkeypatch.setattr(pod_exec, "stream", stream)
    monkeypatch.setattr(pod_exec.PodExec, "_core", lambda self: type("Core", (), {
        "connect_get_namespaced_pod_exec": None})())


def test_stdin_is_fed_and_stdout_and_stderr_are_gathered_until_the_stream_closes(monkeypatch):
    ws, opened = FakeStream([("a", ""), ("b", "warn")]), []
    with_stream(monkeypatch, ws, opened)
    assert pod_exec.PodExec(ApiClient(), "data", "redis").run("redis-0", ["sh"], "secret\n", 5) == ("ab", "warn")
    assert ws.stdin == ["secret\n"] and ws.closed
    assert opened[0][:2] == ("redis-0", "data")
    assert (opened[0][2]["command"], opened[0][2]["container"], opened[0][2]["stdin"]) == (["sh"], "redis", True)


def test_no_container_means_the_pods_default_one(monkeypatch):
    ws, opened = FakeStream([]), []
    with_stream(monkeypatch, ws, opened)
    pod_exec.PodExec(ApiClient(), "data").run("redis-0", ["true"], "", 5)
    assert "container" not in opened[0][2] and ws.stdin == []


def test_an_exec_that_outlives_its_time_is_a_timeout_and_is_closed(monkeypatch, clock):
    ws = FakeStream([], closes=False)
    with_stream(monkeypatch, ws, [])
    monkeypatch.setattr(pod_exec.time, "monotonic", clock)
    ws.update = lambda timeout=None: clock.sleep(timeout)
    with pytest.raises(pod_exec.ExecFailed) as failed:
        pod_exec.PodExec(ApiClient(), "data").run("redis-0", ["sleep", "60"], "", 3)
    assert failed.value.kind == "timeout" and ws.closed
    assert str(failed.value) == "the exec in pod data/redis-0 gave no complete answer within 3 s"


def test_a_timeout_names_who_did_not_answer(monkeypatch, clock):
    ws = FakeStream([], closes=False)
    with_stream(monkeypatch, ws, [])
    monkeypatch.setattr(pod_exec.time, "monotonic", clock)
    ws.update = lambda timeout=None: clock.sleep(timeout)
    with pytest.raises(pod_exec.ExecFailed) as failed:
        pod_exec.PodExec(ApiClient(), "data").run("mysql-1", ["sleep", "60"], "", 3, who="mysql-1")
    assert str(failed.value) == "mysql-1 gave no complete answer within 3 s"


def test_an_exec_that_cannot_open_is_unreachable(monkeypatch):
    def refuse(method, pod, namespace, **kwargs):
        raise RuntimeError("Handshake status 403 Forbidden")

    monkeypatch.setattr(pod_exec, "stream", refuse)
    monkeypatch.setattr(pod_exec.PodExec, "_core", lambda self: type("Core", (), {
        "connect_get_namespaced_pod_exec": None})())
    with pytest.raises(pod_exec.ExecFailed) as failed:
        pod_exec.PodExec(ApiClient(), "data").open("redis-0", ["true"], 5)
    assert failed.value.kind == "unreachable"
    assert str(failed.value) == "cannot exec in pod data/redis-0: Handshake status 403 Forbidden"
