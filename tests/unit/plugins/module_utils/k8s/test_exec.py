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


class Configuration:
    host = "https://10.244.0.1:6443"

    def auth_settings(self):
        return {"BearerToken": {"type": "api_key", "in": "header", "key": "authorization", "value": "Bearer t0ken"}}


class ApiClient:
    configuration = Configuration()


def with_stream(monkeypatch, ws, opened):
    def websocket_call(configuration, method, url, **kwargs):
        opened.append((method, url, kwargs))
        return ws

    monkeypatch.setattr(pod_exec, "websocket_call", websocket_call)


def query_of(opened):
    return dict(opened[0][2]["query_params"])


def test_stdin_is_fed_and_stdout_and_stderr_are_gathered_until_the_stream_closes(monkeypatch):
    ws, opened = FakeStream([("a", ""), ("b", "warn")]), []
    with_stream(monkeypatch, ws, opened)
    assert pod_exec.PodExec(ApiClient(), "data", "redis").run("redis-0", ["sh"], "secret\n", 5) == ("ab", "warn")
    assert ws.stdin == ["secret\n"] and ws.closed
    assert opened[0][:2] == ("GET", "https://10.244.0.1:6443/api/v1/namespaces/data/pods/redis-0/exec")
    assert query_of(opened) == {"command": ["sh"], "container": "redis", "stdin": "true", "stdout": "true",
                                "stderr": "true", "tty": "false"}
    assert opened[0][2]["headers"] == {"authorization": "Bearer t0ken"}
    assert opened[0][2]["_preload_content"] is False


def test_no_container_means_the_pods_default_one(monkeypatch):
    ws, opened = FakeStream([]), []
    with_stream(monkeypatch, ws, opened)
    pod_exec.PodExec(ApiClient(), "data").run("redis-0", ["true"], "", 5)
    assert "container" not in query_of(opened) and ws.stdin == []


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
    def refuse(configuration, method, url, **kwargs):
        raise RuntimeError("Handshake status 403 Forbidden")

    monkeypatch.setattr(pod_exec, "websocket_call", refuse)
    with pytest.raises(pod_exec.ExecFailed) as failed:
        pod_exec.PodExec(ApiClient(), "data").open("redis-0", ["true"], 5)
    assert failed.value.kind == "unreachable"
    assert str(failed.value) == "cannot exec in pod data/redis-0: Handshake status 403 Forbidden"
