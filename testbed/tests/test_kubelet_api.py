"""`kubectl logs`, `kubectl exec`, the Python client's stream() and kubernetes.core.k8s_exec,
through the test bed's real API server to the node's kubelet API, against real pods.
"""

import os
import statistics
import subprocess
import time
from pathlib import Path

import pytest
import redis
from kubernetes import client as k8s
from kubernetes.stream import stream

PLAYBOOKS = Path(__file__).parent / "playbooks"


def _pod(name, image, command=None, restart_policy="Always"):
    container = k8s.V1Container(name="main", image=image, command=command)
    return k8s.V1Pod(
        metadata=k8s.V1ObjectMeta(name=name),
        spec=k8s.V1PodSpec(
            containers=[container],
            restart_policy=restart_policy,
            termination_grace_period_seconds=2,
            # No token needed, and none to wait for: the token controller fills new namespaces late.
            automount_service_account_token=False,
        ),
    )


def _wait_running(core_v1, namespace, name, timeout=60):
    deadline = time.monotonic() + timeout
    pod = None
    while time.monotonic() < deadline:
        pod = core_v1.read_namespaced_pod(name, namespace)
        statuses = pod.status.container_statuses or []
        if statuses and statuses[0].state.running:
            return pod
        time.sleep(0.2)
    raise AssertionError("pod %s/%s not running after %d s: %s" % (namespace, name, timeout, pod and pod.status))


def _wait_log(core_v1, namespace, name, text, timeout=30):
    deadline = time.monotonic() + timeout
    log = ""
    while time.monotonic() < deadline:
        log = core_v1.read_namespaced_pod_log(name, namespace, container="main")
        if text in log:
            return log
        time.sleep(0.2)
    raise AssertionError("%r never appeared in the log of %s/%s; log: %r" % (text, namespace, name, log))


def _kubectl(kubeconfig, *args, stdin=None, timeout=60):
    return subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, KUBECONFIG=str(kubeconfig)),
    )


def _exec(core_v1, namespace, name, command, **kwargs):
    options = {"stdout": True, "stderr": True, "stdin": False, "tty": False}
    options.update(kwargs)
    return stream(core_v1.connect_get_namespaced_pod_exec, name, namespace, command=command, **options)


@pytest.fixture
def shell_pod(core_v1, namespace):
    core_v1.create_namespaced_pod(
        namespace, _pod("shell", "busybox", ["sh", "-c", "echo hello; echo to stderr >&2; sleep 3600"])
    )
    _wait_running(core_v1, namespace, "shell")
    _wait_log(core_v1, namespace, "shell", "to stderr")
    return namespace, "shell"


@pytest.fixture
def redis_pod(core_v1, namespace):
    core_v1.create_namespaced_pod(namespace, _pod("redis", "redis"))
    _wait_running(core_v1, namespace, "redis")
    _wait_log(core_v1, namespace, "redis", "Ready to accept connections")
    return namespace, "redis"


def test_logs_of_a_pod_with_tail_and_limit(core_v1, kubeconfig, shell_pod):
    namespace, name = shell_pod
    assert core_v1.read_namespaced_pod_log(name, namespace) == "hello\nto stderr\n"
    assert core_v1.read_namespaced_pod_log(name, namespace, tail_lines=1) == "to stderr\n"
    assert core_v1.read_namespaced_pod_log(name, namespace, limit_bytes=4) == "hell"
    result = _kubectl(kubeconfig, "-n", namespace, "logs", name)
    assert (result.returncode, result.stdout) == (0, "hello\nto stderr\n"), result.stderr


def test_logs_of_an_unknown_container_are_refused(core_v1, kubeconfig, shell_pod):
    namespace, name = shell_pod
    result = _kubectl(kubeconfig, "-n", namespace, "logs", name, "-c", "nope")
    assert result.returncode != 0 and "nope" in result.stderr


def test_follow_streams_until_the_container_exits(core_v1, kubeconfig, namespace):
    script = "echo first; sleep 2; echo second; sleep 1"
    core_v1.create_namespaced_pod(namespace, _pod("brief", "busybox", ["sh", "-c", script], restart_policy="Never"))
    _wait_running(core_v1, namespace, "brief")
    _wait_log(core_v1, namespace, "brief", "first")
    started = time.monotonic()
    result = _kubectl(kubeconfig, "-n", namespace, "logs", "-f", "brief", timeout=30)
    assert (result.returncode, result.stdout) == (0, "first\nsecond\n"), result.stderr
    # It ended with the container (about 3 s after it started), not at a timeout.
    assert time.monotonic() - started < 10


def test_python_client_exec_gives_stdout_stderr_and_exit_code(core_v1, shell_pod):
    namespace, name = shell_pod
    assert _exec(core_v1, namespace, name, ["sh", "-c", "echo out; hostname"]) == "out\n%s\n" % name
    response = _exec(core_v1, namespace, name, ["sh", "-c", "echo oops >&2; exit 3"], _preload_content=False)
    response.run_forever(timeout=20)
    assert response.returncode == 3
    assert response.read_stderr() == "oops\n"
    response.close()


def test_python_client_exec_round_trip_is_fast(core_v1, shell_pod):
    namespace, name = shell_pod
    seconds = []
    for _ in range(10):
        started = time.monotonic()
        assert _exec(core_v1, namespace, name, ["echo", "x"]) == "x\n"
        seconds.append(time.monotonic() - started)
    median = statistics.median(seconds)
    print("exec round trip through the API server: median %.1f ms, max %.1f ms" % (median * 1e3, max(seconds) * 1e3))
    assert median < 0.5


def test_python_client_stdin_round_trip_with_redis_cli(core_v1, redis_pod):
    namespace, name = redis_pod
    session = _exec(core_v1, namespace, name, ["redis-cli"], stdin=True, _preload_content=False)
    try:
        session.write_stdin("PING\n")
        assert session.readline_stdout(timeout=10) == "PONG"
        session.write_stdin("SET greeting hello\n")
        assert session.readline_stdout(timeout=10) == "OK"
        session.write_stdin("GET greeting\n")
        assert session.readline_stdout(timeout=10) == "hello"
        session.close_channel(0)  # v5: redis-cli sees the end of its input and exits
        session.run_forever(timeout=10)
        assert session.returncode == 0
    finally:
        session.close()
    assert _exec(core_v1, namespace, name, ["redis-cli", "GET", "greeting"]) == "hello\n"


def test_kubectl_exec_with_stdin_and_exit_code(kubeconfig, shell_pod):
    namespace, name = shell_pod
    result = _kubectl(kubeconfig, "-n", namespace, "exec", "-i", name, "--", "sh", "-c", "tr a-z A-Z", stdin="shout\n")
    assert (result.returncode, result.stdout) == (0, "SHOUT\n"), result.stderr
    result = _kubectl(kubeconfig, "-n", namespace, "exec", name, "--", "sh", "-c", "echo bad >&2; exit 4")
    assert result.returncode == 4
    assert "bad" in result.stderr and "command terminated with exit code 4" in result.stderr


def test_kubectl_exec_into_redis(kubeconfig, redis_pod):
    namespace, name = redis_pod
    result = _kubectl(kubeconfig, "-n", namespace, "exec", name, "--", "redis-cli", "INCR", "counter")
    assert (result.returncode, result.stdout) == (0, "1\n"), result.stderr


def test_kubectl_port_forward_to_redis(kubeconfig, redis_pod):
    namespace, name = redis_pod
    forward = subprocess.Popen(
        ["kubectl", "--kubeconfig", str(kubeconfig), "-n", namespace, "port-forward", "pod/" + name, ":6379"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = forward.stdout.readline()  # "Forwarding from 127.0.0.1:NNNNN -> 6379"
        assert line.startswith("Forwarding from 127.0.0.1:"), line + forward.stderr.read()
        local_port = int(line.split(":")[1].split()[0])
        served = redis.Redis(port=local_port, socket_timeout=10, decode_responses=True)
        assert served.set("forwarded", "yes")
        assert [served.incr("forward-count") for _ in range(3)] == [1, 2, 3], "one connection, many round trips"
        again = redis.Redis(port=local_port, socket_timeout=10, decode_responses=True)
        assert again.get("forwarded") == "yes", "a second connection through the same forward"
    finally:
        forward.terminate()
        forward.wait(10)
    result = _kubectl(kubeconfig, "-n", namespace, "exec", name, "--", "redis-cli", "GET", "forwarded")
    assert (result.returncode, result.stdout) == (0, "yes\n"), "the write reached the pod's server"


def test_k8s_exec_module(playbook, shell_pod):
    namespace, name = shell_pod
    result = playbook(PLAYBOOKS / "k8s_exec.yml", extra_vars={"pod_namespace": namespace, "pod_name": name})
    assert result.rc == 0, result.stdout[-3000:]
    (succeeded,) = result.task_results("Run a command that succeeds")
    assert (succeeded["rc"], succeeded["stdout"], succeeded["stderr"]) == (0, "%s\n" % name, "note\n")
    (failed,) = result.task_results("Run a command that fails")
    assert failed["rc"] == 5
