from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.inspect import Inspector
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time

NOW = parse_time("2026-11-22T06:43:20Z")


def test_a_deployment_that_is_not_available_is_explained_by_its_pods(fakes, load):
    deployment = {"kind": "Deployment", "metadata": {"name": "nfs"},
                  "spec": {"selector": {"matchLabels": {"app": "nfs"}}}}
    core = fakes.Api(
        list_namespaced_pod=lambda namespace, **query: {"items": [load("pod_crashloop")]},
        list_namespaced_event=lambda namespace, **query: load("events_crashloop"),
        read_namespaced_pod_log=lambda name, namespace, **query: "starting\nconfig line 12: Bad directive\n",
    )
    text = Inspector(fakes.Clients(core=core), "storage").pods_of(deployment, NOW)
    assert text == (
        'pod web-2: Running, container app in CrashLoopBackOff (exit 1, 3 restarts); last log line: "config line '
        '12: Bad directive"; events: Scheduled x1, Pulled x4, Created x4, Started x4, BackOff x3. Next: fix the '
        "container's command or configuration (see its log above: kubectl logs --previous)")
    listed = [call for call in core.calls if call[0] == "list_namespaced_pod"]
    assert listed[0][2]["label_selector"] == "app=nfs"
    # The crash loop's previous run is what explains it.
    assert [call[2]["previous"] for call in core.calls if call[0] == "read_namespaced_pod_log"] == [True]


def test_no_pod_at_all_points_at_the_controller(fakes):
    core = fakes.Api(list_namespaced_pod=lambda namespace, **query: {"items": []})
    text = Inspector(fakes.Clients(core=core), "storage").pods_of(
        {"kind": "Deployment", "metadata": {"name": "nfs"}, "spec": {"selector": {"matchLabels": {"a": "b"}}}}, NOW)
    assert text.startswith("no pod exists (check the events of Deployment nfs")


def test_what_cannot_be_read_is_left_out(fakes, load):
    # No answers: every read raises 404, as for a pod deleted meanwhile or a missing right.
    facts, detail, hint = Inspector(fakes.Clients(), "data").explain(load("pod_unschedulable_claim"), NOW)
    assert (facts["events"], facts["log_tail"], facts["claims"]) == ([], [], [])
    assert detail.startswith("Pending, not scheduled: ")
