"""statefulset_wait_ordered against the test bed: real StatefulSets of real processes."""

import time
from pathlib import Path

import pytest
from kubernetes import client as k8s_client

from tests.support.manifests import claim_template, statefulset

PLAYBOOK = Path(__file__).parent / "wait.yml"
WAIT_TASK = "Wait for the StatefulSet's pods in ordinal order"


def wait(playbook, namespace, name, manifest=None, check=False, **options):
    extra = {"sts_name": name, "sts_namespace": namespace}
    if manifest is not None:
        extra["manifest"] = manifest
    extra.update(("wait_" + key, value) for key, value in options.items())
    run = playbook(PLAYBOOK, extra_vars=extra, check=check)
    results = run.task_results(WAIT_TASK)
    assert results, "the wait task did not run: rc=%s\n%s\n%s" % (run.rc, run.stdout[-3000:], run.stderr[-3000:])
    return results[0]


def pods_of(core_v1, namespace, name):
    return {p.metadata.name: p for p in core_v1.list_namespaced_pod(namespace, label_selector="app=" + name).items}


def ready_transition(pod):
    for condition in pod.status.conditions or []:
        if condition.type == "Ready" and condition.status == "True":
            return condition.last_transition_time
    return None


def test_ordered_start_of_five_replicas_reports_timings_in_ordinal_order(playbook, namespace, core_v1):
    # Each pod takes 2 s to turn Ready, so that most of them do while the module watches.
    result = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=5, probe_delay=2))

    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is False
    assert result["ready_replicas"] == 5
    assert result["ordering"] == "enforced"
    assert result["order_violations"] == []
    timings = result["ordinals"]
    assert [t["pod"] for t in timings] == ["web-0", "web-1", "web-2", "web-3", "web-4"]
    ready_after = [t["ready_after"] for t in timings]
    assert ready_after == sorted(ready_after), ready_after
    seen = [seconds for seconds in ready_after if seconds > 0]
    assert len(seen) >= 3 and len(set(seen)) == len(seen), "the wait saw too few Ready transitions: %s" % ready_after
    assert ready_after[-1] <= result["elapsed"]
    # What the API server recorded agrees: each pod was created no earlier than the previous one was Ready.
    pods = pods_of(core_v1, namespace, "web")
    for ordinal in range(1, 5):
        previous_ready = ready_transition(pods["web-%d" % (ordinal - 1)])
        assert pods["web-%d" % ordinal].metadata.creation_timestamp >= previous_ready
        assert timings[ordinal]["ready"] is not None


def test_failing_readiness_probe_names_the_ordinal_and_the_probes_last_failure(playbook, namespace, core_v1):
    # Every pod but web-1 makes its ready file; web-1's probe keeps failing.
    script = '[ "$POD_NAME" = web-1 ] || touch /tmp/ready; exec sleep 3600'
    started = time.monotonic()
    result = wait(playbook, namespace, "web", statefulset("web", namespace, script=script), timeout=120,
                  unready_timeout=8)
    took = time.monotonic() - started

    assert result["failed"] is True
    assert took < 60, "gave up after %.0f s, unready_timeout was 8 s" % took
    assert result["msg"].startswith("web-1 (ordinal 1 of 3) not Ready after "), result["msg"]
    events = core_v1.list_namespaced_event(namespace, field_selector="involvedObject.name=web-1").items
    probe_failures = sorted((e for e in events if e.reason == "Unhealthy"), key=lambda e: e.last_timestamp)
    assert probe_failures, "the kubelet reported no Unhealthy event for web-1"
    assert " ".join(probe_failures[-1].message.split()) in result["msg"]
    assert result["diagnosis"]["problem"] == "unready"
    assert result["diagnosis"]["container"] == "app"
    assert result["ordinals"][0]["ready"] is not None


def test_readiness_failure_without_unready_timeout_is_explained_at_the_deadline(playbook, namespace):
    result = wait(playbook, namespace, "web", statefulset("web", namespace, script="exec sleep 3600", replicas=2),
                  timeout=12)

    assert result["failed"] is True
    assert result["msg"].startswith("StatefulSet %s/web not ready after 12 s (timeout)" % namespace), result["msg"]
    assert "web-0 (ordinal 0 of 2) not Ready" in result["msg"]
    assert "Readiness probe failed" in result["msg"]
    assert result["diagnosis"]["problem"] == "timeout"


def test_crash_looping_container_fails_fast_with_its_last_log_line(playbook, namespace):
    script = 'echo "starting"; echo "config line 12: Bad directive or wrong number of arguments" >&2; exit 1'
    started = time.monotonic()
    result = wait(playbook, namespace, "web", statefulset("web", namespace, script=script), timeout=300)
    took = time.monotonic() - started

    assert result["failed"] is True
    assert took < 60, "a crash loop took %.0f s to be reported (timeout 300 s)" % took
    assert result["msg"].startswith("web-0 (ordinal 0 of 3) not Ready after "), result["msg"]
    assert ", container app in CrashLoopBackOff (exit 1, " in result["msg"]
    assert 'last log line: "config line 12: Bad directive or wrong number of arguments"' in result["msg"]
    assert result["diagnosis"]["exit_code"] == 1
    assert result["diagnosis"]["restarts"] >= 1


def test_unknown_image_fails_fast_with_the_pull_error(playbook, namespace):
    result = wait(playbook, namespace, "web", statefulset("web", namespace, image="example.com/no-such-image:1"),
                  timeout=300)

    assert result["failed"] is True
    assert result["diagnosis"]["reason"] in ("ErrImagePull", "ImagePullBackOff"), result["msg"]
    assert result["msg"].startswith("web-0 (ordinal 0 of 3) not Ready after ")
    assert result["elapsed"] < 30


@pytest.fixture
def storage_class_without_provisioner(namespace, api_client):
    """A StorageClass no provisioner serves: its claims stay Pending."""
    api = k8s_client.StorageV1Api(api_client)
    name = "none-" + namespace
    api.create_storage_class(k8s_client.V1StorageClass(
        metadata=k8s_client.V1ObjectMeta(name=name), provisioner="example.com/none",
        volume_binding_mode="Immediate"))
    yield name
    api.delete_storage_class(name)


def test_claim_that_cannot_bind_names_the_storage_class_provisioner(
        playbook, namespace, storage_class_without_provisioner):
    manifest = statefulset("web", namespace, claims=[claim_template("data", storage_class_without_provisioner)])
    result = wait(playbook, namespace, "web", manifest, timeout=300)

    assert result["failed"] is True
    assert result["elapsed"] < 60
    assert result["diagnosis"]["problem"] == "unschedulable"
    claim = result["diagnosis"]["claims"][0]
    assert (claim["name"], claim["phase"], claim["provisioner"]) == ("data-web-0", "Pending", "example.com/none")
    assert "claim data-web-0 Pending (StorageClass %s, provisioner example.com/none)" % (
        storage_class_without_provisioner) in result["msg"]
    assert "unbound immediate PersistentVolumeClaims" in result["msg"]


def test_scale_up_from_three_to_five_and_back_down_to_two(playbook, namespace, core_v1):
    first = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3, probe_delay=2))
    assert first.get("failed") is not True, first.get("msg")

    up = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=5, probe_delay=2))
    assert up.get("failed") is not True, up.get("msg")
    assert up["ready_replicas"] == 5
    assert up["order_violations"] == []
    # The pods that were there keep their Ready time from before this wait; the new ones come up 3 then 4.
    assert all(t["ready_after"] <= 0 for t in up["ordinals"][:3]), up["ordinals"]
    assert up["ordinals"][3]["ready_after"] < up["ordinals"][4]["ready_after"]
    assert up["ordinals"][4]["ready_after"] > 0, up["ordinals"]

    down = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=2, probe_delay=2))
    assert down.get("failed") is not True, down.get("msg")
    assert [t["pod"] for t in down["ordinals"]] == ["web-0", "web-1"]
    assert down["ready_replicas"] == 2
    pods = pods_of(core_v1, namespace, "web")
    remaining = [name for name, pod in pods.items() if not pod.metadata.deletion_timestamp]
    assert sorted(remaining) == ["web-0", "web-1"]


def test_rolling_update_respects_the_partition_then_updates_from_the_top(playbook, namespace):
    first = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3))
    assert first.get("failed") is not True, first.get("msg")
    old_revision = first["update_revision"]

    partial = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3, partition=2, probe_delay=2,
                                                           env=[{"name": "RELEASE", "value": "2"}]))
    assert partial.get("failed") is not True, partial.get("msg")
    assert partial["update_revision"] != old_revision
    assert [t["revision"] for t in partial["ordinals"]] == [old_revision, old_revision, partial["update_revision"]]

    full = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3, partition=0, probe_delay=2,
                                                        env=[{"name": "RELEASE", "value": "2"}]))
    assert full.get("failed") is not True, full.get("msg")
    assert {t["revision"] for t in full["ordinals"]} == {full["update_revision"]}
    assert full["order_violations"] == []
    # A rolling update replaces ordinal 1 before ordinal 0 (the wait may start after ordinal 1 is back).
    assert full["ordinals"][1]["ready_after"] < full["ordinals"][0]["ready_after"]
    assert full["ordinals"][0]["ready_after"] > 0, full["ordinals"]


def test_parallel_statefulset_is_waited_for_without_enforcing_order(playbook, namespace):
    result = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=4, policy="Parallel"))

    assert result.get("failed") is not True, result.get("msg")
    assert result["pod_management_policy"] == "Parallel"
    assert result["ordering"].startswith("not enforced: podManagementPolicy is Parallel")
    assert result["ready_replicas"] == 4
    assert all(t["ready"] for t in result["ordinals"])


def test_check_mode_waits_the_same_and_changes_nothing(playbook, namespace, apps_v1):
    applied = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=2))
    assert applied.get("failed") is not True, applied.get("msg")
    generation = apps_v1.read_namespaced_stateful_set("web", namespace).metadata.generation

    checked = wait(playbook, namespace, "web", check=True)
    assert checked.get("failed") is not True, checked.get("msg")
    assert checked["changed"] is False
    assert checked["ready_replicas"] == 2
    assert checked["update_revision"] == applied["update_revision"]
    assert apps_v1.read_namespaced_stateful_set("web", namespace).metadata.generation == generation


def test_statefulset_that_never_appears_times_out_with_a_clear_message(playbook, namespace):
    result = wait(playbook, namespace, "nope", timeout=3)

    assert result["failed"] is True
    assert result["msg"] == ("StatefulSet %s/nope not found after 3 s (timeout): apply the StatefulSet before this "
                             "task, or check name and namespace" % namespace)


def test_waiting_for_the_first_ordinals_each_ready_for_a_while(playbook, namespace):
    result = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3, probe_delay=2),
                  replicas=2, ready_for=3)

    assert result.get("failed") is not True, result.get("msg")
    assert result["replicas"] == 2
    assert [t["pod"] for t in result["ordinals"]] == ["web-0", "web-1"]
    # web-1 had to stay Ready for 3 s before the wait ended.
    assert result["elapsed"] - result["ordinals"][1]["ready_after"] >= 3


@pytest.mark.kubernetes("1.27")  # spec.ordinals.start
def test_a_statefulset_starting_at_ordinal_5_is_waited_for_from_web_5(playbook, namespace, core_v1):
    first = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=3, probe_delay=2, ordinals_start=5))

    assert first.get("failed") is not True, first.get("msg")
    assert first["ready_replicas"] == 3
    assert first["order_violations"] == []
    assert [(t["ordinal"], t["pod"]) for t in first["ordinals"]] == [(5, "web-5"), (6, "web-6"), (7, "web-7")]
    assert all(t["ready"] for t in first["ordinals"])
    # The API server agrees: these are the pods, and each came after the one before it was Ready.
    pods = pods_of(core_v1, namespace, "web")
    assert sorted(pods) == ["web-5", "web-6", "web-7"]
    for ordinal in (6, 7):
        assert pods["web-%d" % ordinal].metadata.creation_timestamp >= ready_transition(pods["web-%d" % (ordinal - 1)])

    # The first two of them only, then two more at the top (web-8 and web-9, not web-3 and web-4).
    two = wait(playbook, namespace, "web", replicas=2)
    assert two.get("failed") is not True, two.get("msg")
    assert [t["pod"] for t in two["ordinals"]] == ["web-5", "web-6"]
    up = wait(playbook, namespace, "web", statefulset("web", namespace, replicas=5, probe_delay=2, ordinals_start=5))
    assert up.get("failed") is not True, up.get("msg")
    assert [t["pod"] for t in up["ordinals"]] == ["web-%d" % n for n in range(5, 10)]
    assert up["ordinals"][3]["ready_after"] < up["ordinals"][4]["ready_after"]
    assert sorted(pods_of(core_v1, namespace, "web")) == ["web-%d" % n for n in range(5, 10)]


@pytest.mark.kubernetes("1.27")  # spec.ordinals.start
def test_a_pod_that_stays_unready_is_named_by_its_ordinal_from_the_start(playbook, namespace):
    script = '[ "$POD_NAME" = web-6 ] || touch /tmp/ready; exec sleep 3600'
    result = wait(playbook, namespace, "web", statefulset("web", namespace, script=script, ordinals_start=5),
                  timeout=120, unready_timeout=8)

    assert result["failed"] is True
    assert result["msg"].startswith("web-6 (ordinal 6 of 5..7) not Ready after "), result["msg"]
    assert result["diagnosis"]["ordinal"] == 6
    assert [t["pod"] for t in result["ordinals"]][:1] == ["web-5"] and result["ordinals"][0]["ready"] is not None
