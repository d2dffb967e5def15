from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.pods import find_members


def running(name, ip, node="node-1"):
    return {"metadata": {"name": name}, "spec": {"nodeName": node}, "status": {"phase": "Running", "podIP": ip}}


def clients_with(fakes, statefulset, pods):
    apps = fakes.Api(read_namespaced_stateful_set=lambda name, namespace, **query: statefulset)
    core = fakes.Api(list_namespaced_pod=lambda namespace, **query: {"items": pods})
    return fakes.Clients(core=core, apps=apps), core


def test_members_are_the_statefulsets_ordinals_from_its_start(fakes):
    statefulset = {"metadata": {"name": "redis"}, "spec": {"replicas": 2, "ordinals": {"start": 5},
                                                           "selector": {"matchLabels": {"app": "redis"}}}}
    clients, core = clients_with(fakes, statefulset, [running("redis-6", "10.0.0.6", "node-2"),
                                                      running("redis-5", "10.0.0.5"), running("other-0", "10.0.0.9")])
    members, problems = find_members(clients, "data", "redis", 6379)
    assert problems == []
    assert [(m.name, m.address, m.k8s_node, m.ordinal) for m in members] == [
        ("redis-5", "10.0.0.5:6379", "node-1", 5), ("redis-6", "10.0.0.6:6379", "node-2", 6)]
    assert core.calls[0][2]["label_selector"] == "app=redis"


def test_pods_that_cannot_be_members_yet_are_problems_and_leaving_pods_still_count(fakes):
    statefulset = {"metadata": {"name": "redis"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"a": "r"}}}}
    terminating = running("redis-1", "10.0.0.2")
    terminating["metadata"]["deletionTimestamp"] = "2026-11-22T06:42:46Z"
    pending = {"metadata": {"name": "redis-3"}, "spec": {}, "status": {"phase": "Pending"}}
    clients, _core = clients_with(fakes, statefulset, [running("redis-0", "10.0.0.1"), terminating, pending])
    members, problems = find_members(clients, "data", "redis", 6379)
    assert [m.name for m in members] == ["redis-0"]
    assert problems == ["pod redis-1 is terminating", "pod redis-2 does not exist",
                        "pod redis-3 is Pending without an IP yet"]


def test_a_missing_statefulset_is_a_problem_not_an_error(fakes):
    members, problems = find_members(fakes.Clients(), "data", "redis", 6379)
    assert (members, problems) == ([], ["StatefulSet data/redis does not exist"])
