from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.diagnosis import claim_facts
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import diagnosis

# The captured pods all started at 06:42:46 (see test_pods.py).
STARTED = parse_time("2026-11-22T06:42:46Z")


def test_crash_loop_is_hopeless_at_once(load):
    assert diagnosis.hopeless(load("pod_crashloop"), STARTED) == diagnosis.CONTAINER_BLOCKED
    assert diagnosis.hopeless(load("pod_image_pull"), STARTED) == diagnosis.CONTAINER_BLOCKED


def test_ready_and_starting_pods_are_not_hopeless(load):
    assert diagnosis.hopeless(load("pod_ready"), STARTED + 600) is None
    assert diagnosis.hopeless(None, STARTED) is None
    # A failing readiness probe is only given up on with unready_timeout.
    assert diagnosis.hopeless(load("pod_readiness_failing"), STARTED + 600) is None


def test_unready_timeout_counts_from_when_the_containers_started(load):
    pod = load("pod_readiness_failing")
    assert diagnosis.hopeless(pod, STARTED + 29, unready_timeout=30) is None
    assert diagnosis.hopeless(pod, STARTED + 30, unready_timeout=30) == diagnosis.UNREADY


def test_unschedulable_pod_gets_a_grace_period(load):
    pod = load("pod_unschedulable_claim")
    assert diagnosis.hopeless(pod, STARTED + diagnosis.UNSCHEDULABLE_GRACE - 1) is None
    assert diagnosis.hopeless(pod, STARTED + diagnosis.UNSCHEDULABLE_GRACE) == diagnosis.UNSCHEDULABLE


def test_crash_loop_message_names_ordinal_exit_code_log_and_events(load):
    facts = diagnosis.diagnose(
        diagnosis.CONTAINER_BLOCKED, "web", 2, 3, load("pod_crashloop"), STARTED, STARTED + 34.6,
        events=load("events_crashloop")["items"],
        log_lines=["starting", "config line 12: Bad directive or wrong number of arguments"])
    assert facts["message"] == (
        'web-2 (ordinal 2 of 3) not Ready after 35 s: Running, container app in CrashLoopBackOff (exit 1, 3 restarts); '
        'last log line: "config line 12: Bad directive or wrong number of arguments"; '
        "events: Scheduled x1, Pulled x4, Created x4, Started x4, BackOff x3. "
        "Next: fix the container's command or configuration (see its log above: kubectl logs --previous)")
    assert (facts["reason"], facts["exit_code"], facts["restarts"]) == ("CrashLoopBackOff", 1, 3)
    assert facts["node"] == "node-1"
    assert facts["conditions"] == {"Initialized": "True", "Ready": "False", "ContainersReady": "False",
                                   "PodScheduled": "True"}
    assert facts["events"][-1] == {"type": "Warning", "reason": "BackOff", "count": 3,
                                   "message": "Back-off restarting failed container",
                                   "last_seen": "2026-11-22T06:43:01Z"}


def test_image_pull_message_quotes_the_kubelet(load):
    facts = diagnosis.diagnose(diagnosis.CONTAINER_BLOCKED, "pull", 0, 1, load("pod_image_pull"), STARTED,
                               STARTED + 5, events=load("events_image_pull")["items"])
    assert facts["message"].startswith(
        'pull-0 (ordinal 0 of 1) not Ready after 5 s: Pending, container app in ImagePullBackOff (0 restarts): '
        '"Back-off pulling image "example.com/nope:1""; events: ')
    assert "Failed x3" in facts["message"]
    assert facts["message"].endswith("Next: check the image name and tag and that the nodes can pull it "
                                     "(registry, credentials)")


def test_failing_readiness_probe_is_quoted_from_the_unhealthy_event(load):
    facts = diagnosis.diagnose(diagnosis.UNREADY, "web", 1, 3, load("pod_readiness_failing"), STARTED, STARTED + 34,
                               events=load("events_readiness")["items"])
    assert (facts["reason"], facts["container"]) == ("ReadinessProbeFailing", "app")
    assert facts["message"] == (
        'web-1 (ordinal 1 of 3) not Ready after 34 s: Running, container app not Ready: '
        '"Readiness probe failed: cat: /tmp/ready: No such file or directory" (unready for 34 s); '
        "events: Scheduled x1, Pulled x1, Created x1, Started x1, Unhealthy x35. "
        "Next: check what the readiness probe tests and why the application does not pass it")


def test_unbound_claim_names_the_storage_class_provisioner_and_its_events(load):
    claim = claim_facts(load("pvc_pending"), load("storageclass_none"), load("events_claim")["items"])
    assert (claim["name"], claim["phase"], claim["provisioner"]) == ("data-claim-0", "Pending", "example.com/none")
    facts = diagnosis.diagnose(diagnosis.UNSCHEDULABLE, "claim", 0, 1, load("pod_unschedulable_claim"), STARTED,
                               STARTED + 20, events=load("events_unschedulable")["items"], claims=[claim])
    assert facts["message"] == (
        'claim-0 (ordinal 0 of 1) not Ready after 20 s: Pending, not scheduled: "0/3 nodes are available: 3 pod has '
        'unbound immediate PersistentVolumeClaims."; claim data-claim-0 Pending (StorageClass none, provisioner '
        'example.com/none): ExternalProvisioning x4 "waiting for a volume to be created, either by external '
        'provisioner "example.com/none" or manually created by system administrator"; events: FailedScheduling x1. '
        "Next: make the claim bindable: a StorageClass whose provisioner runs, or a matching PersistentVolume")


def test_claim_of_a_missing_storage_class_says_so(load):
    claim = claim_facts(load("pvc_pending"), None, [])
    facts = diagnosis.diagnose(diagnosis.UNSCHEDULABLE, "claim", 0, 1, load("pod_unschedulable_claim"), STARTED,
                               STARTED + 20, claims=[claim])
    assert "claim data-claim-0 Pending (StorageClass none does not exist)" in facts["message"]


def test_pod_the_controller_cannot_create_quotes_its_failed_create_event(load):
    facts = diagnosis.diagnose(diagnosis.NOT_CREATED, "quota", 0, 1, None, STARTED, STARTED + 6,
                               events=load("events_failed_create")["items"])
    assert (facts["pod"], facts["reason"]) == ("quota-0", "FailedCreate")
    assert facts["message"] == (
        'quota-0 (ordinal 0 of 1) was not created after 6 s: the StatefulSet controller reports FailedCreate x13 '
        '"create Pod quota-0 in StatefulSet quota failed error: pods "quota-0" is forbidden: exceeded quota: pods, '
        'requested: pods=1, used: pods=5, limited: pods=5"; fix what the StatefulSet controller reports (quota, '
        "admission, RBAC, pod template)")


def test_a_pod_of_a_statefulset_starting_at_ordinal_5_is_placed_among_its_ordinals():
    facts = diagnosis.diagnose(diagnosis.NOT_CREATED, "web", 6, 3, None, STARTED, STARTED + 10, start=5)
    assert facts["message"].startswith("web-6 (ordinal 6 of 5..7) was not created after 10 s")
    assert facts["ordinal"] == 6
