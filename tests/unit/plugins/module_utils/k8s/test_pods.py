from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import objects, pods

# Fixtures were captured from the test bed (kubectl get -o json): web-0 Ready, web-1 running with
# a readiness probe that fails, web-2 crash looping, pull-0 with an unknown image, claim-0
# waiting for a claim no provisioner serves. All of them started at 06:42:46.
STARTED = objects.parse_time("2026-11-22T06:42:46Z")


def test_timestamps_parse_with_and_without_fractions():
    assert objects.parse_time("1970-01-01T00:00:10Z") == 10
    assert objects.parse_time("1970-01-01T00:00:10.250000Z") == 10.25
    assert objects.parse_time(None) is None
    assert objects.parse_time("yesterday") is None


def test_ready_pod_is_ready_since_its_condition_changed(load):
    pod = load("pod_ready")
    assert pods.is_ready(pod)
    assert pods.ready_since(pod) == STARTED
    assert pods.revision_of(pod) == "web-9fbc9497b"
    assert pods.phase_of(pod) == "Running"


def test_terminating_pod_is_not_ready_even_with_a_true_condition(load):
    pod = load("pod_ready")
    pod["metadata"]["deletionTimestamp"] = "2026-11-22T06:50:00Z"
    assert not pods.is_ready(pod)
    assert pods.ready_since(pod) is None


def test_crash_loop_is_blocked_with_the_previous_run_exit_code(load):
    blocked = pods.blocked_container(load("pod_crashloop"))
    assert blocked["message"].startswith("back-off 20s restarting failed container=app pod=web-2_capture-wait")
    del blocked["message"]
    assert blocked == {"container": "app", "reason": "CrashLoopBackOff", "restarts": 3, "exit_code": 1,
                       "last_reason": "Error"}
    assert pods.restarts_of(load("pod_crashloop")) == 3


def test_image_pull_back_off_is_blocked(load):
    blocked = pods.blocked_container(load("pod_image_pull"))
    assert blocked["reason"] == "ImagePullBackOff"
    assert blocked["message"] == 'Back-off pulling image "example.com/nope:1"'


def test_blocked_init_container_is_found_before_app_containers(load):
    pod = load("pod_image_pull")
    pod["status"]["initContainerStatuses"] = [dict(pod["status"]["containerStatuses"][0], name="init-config")]
    waiting = {"reason": "CreateContainerConfigError", "message": 'configmap "cfg" not found'}
    pod["status"]["initContainerStatuses"][0]["state"] = {"waiting": waiting}
    assert pods.blocked_container(pod)["container"] == "init-config"


def test_running_unready_pod_names_its_unready_container(load):
    pod = load("pod_readiness_failing")
    assert pods.blocked_container(pod) is None
    assert pods.unready_container(pod) == "app"
    assert pods.running_since(pod) == STARTED
    assert pods.unready_container(load("pod_ready")) is None


def test_unschedulable_pod_gives_the_scheduler_message_and_its_claims(load):
    pod = load("pod_unschedulable_claim")
    assert pods.unschedulable(pod) == "0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims."
    assert pods.claim_names(pod) == ["data-claim-0"]
    assert pods.running_since(pod) is None
    assert pods.unschedulable(load("pod_ready")) is None
