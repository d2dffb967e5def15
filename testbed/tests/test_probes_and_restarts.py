"""Probes, restarts and image failures are reported the way a kubelet reports them."""

import time

from testbed.tests.support import container_status, create_pod, events, is_ready, wait_until


def busybox(name, command, **extra):
    return dict({"name": name, "image": "busybox", "command": ["sh", "-c", command]}, **extra)


def test_pod_with_failing_readiness_probe_is_never_ready_and_records_unhealthy(core_v1, namespace):
    probe = {"exec": {"command": ["sh", "-c", "echo not ready yet; exit 1"]}, "periodSeconds": 1}
    create_pod(core_v1, namespace, {"metadata": {"name": "unready"}, "spec": {
        "containers": [busybox("main", "sleep 3600", readinessProbe=probe)]}})

    def unhealthy():
        return [e for e in events(core_v1, namespace, "unready") if e.reason == "Unhealthy"]

    found = wait_until(unhealthy, 30, "an Unhealthy event")
    assert found[0].type == "Warning"
    assert found[0].message == "Readiness probe failed: not ready yet"
    assert found[0].source.component == "kubelet"
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        pod = core_v1.read_namespaced_pod("unready", namespace)
        assert pod.status.phase == "Running"
        assert not is_ready(pod)
        assert container_status(pod, "main").ready is False
        time.sleep(0.5)
    assert max(e.count for e in unhealthy()) >= 3, "repeated failures are aggregated into one event's count"


def test_container_whose_command_exits_goes_into_crash_loop_back_off(core_v1, namespace):
    create_pod(core_v1, namespace, {"metadata": {"name": "crasher"}, "spec": {
        "containers": [busybox("main", "echo giving up; exit 3")]}})

    def crash_looping():
        pod = core_v1.read_namespaced_pod("crasher", namespace)
        status = container_status(pod, "main")
        if status and status.state.waiting and status.state.waiting.reason == "CrashLoopBackOff":
            return pod
        return None

    pod = wait_until(crash_looping, 30, "container main waiting in CrashLoopBackOff")
    status = container_status(pod, "main")
    assert status.restart_count >= 1
    assert status.last_state.terminated.exit_code == 3
    assert status.last_state.terminated.reason == "Error"
    assert "back-off" in status.state.waiting.message
    reasons = {e.reason for e in events(core_v1, namespace, "crasher")}
    assert {"Created", "Started", "BackOff"} <= reasons


def test_failing_liveness_probe_kills_and_restarts_the_container(core_v1, namespace):
    probe = {"exec": {"command": ["sh", "-c", "test -f /tmp/healthy"]}, "periodSeconds": 1, "failureThreshold": 2}
    create_pod(core_v1, namespace, {"metadata": {"name": "sick"}, "spec": {
        "terminationGracePeriodSeconds": 1,
        "containers": [busybox("main", "sleep 3600", livenessProbe=probe)]}})

    def restarted():
        status = container_status(core_v1.read_namespaced_pod("sick", namespace), "main")
        return status if status and status.restart_count >= 1 else None

    status = wait_until(restarted, 30, "container main restarted by its liveness probe")
    assert status.last_state.terminated is not None
    messages = [e.message for e in events(core_v1, namespace, "sick")]
    assert "Container main failed liveness probe, will be restarted" in messages


def test_http_readiness_probe_makes_the_pod_ready_when_the_server_answers(core_v1, namespace):
    probe = {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}
    create_pod(core_v1, namespace, {"metadata": {"name": "web"}, "spec": {"containers": [{
        "name": "web", "image": "debian", "command": ["python3", "-m", "http.server", "8080"],
        "readinessProbe": probe}]}})
    pod = wait_until(lambda: (lambda p: p if is_ready(p) else None)(core_v1.read_namespaced_pod("web", namespace)),
                     30, "pod web Ready through its httpGet probe")
    ready = next(c for c in pod.status.conditions if c.type == "Ready")
    assert ready.last_transition_time is not None


def test_image_outside_the_catalog_reports_image_pull_errors(core_v1, namespace):
    create_pod(core_v1, namespace, {"metadata": {"name": "unknown"}, "spec": {
        "containers": [{"name": "main", "image": "example.com/not-in-catalog:1.0"}]}})

    def backing_off():
        status = container_status(core_v1.read_namespaced_pod("unknown", namespace), "main")
        waiting = status and status.state.waiting
        return waiting if waiting and waiting.reason == "ImagePullBackOff" else None

    waiting = wait_until(backing_off, 30, "ImagePullBackOff")
    assert "example.com/not-in-catalog:1.0" in waiting.message
    failed = [e.message for e in events(core_v1, namespace, "unknown") if e.reason == "Failed"]
    assert "Error: ErrImagePull" in failed
    assert any("not-in-catalog" in m and "catalog" in m for m in failed)
    assert core_v1.read_namespaced_pod("unknown", namespace).status.phase == "Pending"
