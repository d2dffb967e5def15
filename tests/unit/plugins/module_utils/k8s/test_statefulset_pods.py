from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.statefulset_pods import running_pods


def running(name, ip):
    return {"metadata": {"name": name}, "status": {"phase": "Running", "podIP": ip}}


def clients_with(fakes, statefulset, pods):
    apps = fakes.Api(read_namespaced_stateful_set=lambda name, namespace, **query: statefulset)
    core = fakes.Api(list_namespaced_pod=lambda namespace, **query: {"items": pods})
    return fakes.Clients(core=core, apps=apps), core


STATEFULSET = {"metadata": {"name": "db"}, "spec": {"replicas": 2, "ordinals": {"start": 3},
                                                    "selector": {"matchLabels": {"app": "db"}}}}


def test_the_running_pods_come_in_ordinal_order_from_the_ordinals_start(fakes):
    pods = [running("db-4", "10.0.0.4"), running("db-3", "10.0.0.3"), running("other-3", "10.0.0.9")]
    clients, core = clients_with(fakes, STATEFULSET, pods)
    statefulset, found, problems = running_pods(clients, "data", "db")
    assert statefulset == STATEFULSET
    assert [(ordinal, pod["metadata"]["name"]) for ordinal, pod in found] == [(3, "db-3"), (4, "db-4")]
    assert problems == []
    assert core.calls[0][2]["label_selector"] == "app=db"


def test_pods_above_the_ordinals_count_only_when_leaving_pods_are_asked_for(fakes):
    pods = [running("db-3", "10.0.0.3"), running("db-4", "10.0.0.4"), running("db-6", "10.0.0.6")]
    clients, _core = clients_with(fakes, STATEFULSET, pods)
    _statefulset, found, problems = running_pods(clients, "data", "db")
    assert ([ordinal for ordinal, _pod in found], problems) == ([3, 4], [])
    _statefulset, found, problems = running_pods(clients, "data", "db", include_leaving=True)
    assert ([ordinal for ordinal, _pod in found], problems) == ([3, 4, 6], ["pod db-5 does not exist"])


def test_terminating_and_ip_less_pods_are_problems(fakes):
    terminating = running("db-3", "10.0.0.3")
    terminating["metadata"]["deletionTimestamp"] = "2026-11-22T06:42:46Z"
    pending = {"metadata": {"name": "db-4"}, "status": {"phase": "Pending"}}
    clients, _core = clients_with(fakes, STATEFULSET, [terminating, pending])
    assert running_pods(clients, "data", "db")[1:] == (
        [], ["pod db-3 is terminating", "pod db-4 is Pending without an IP yet"])


def test_a_missing_statefulset_is_a_problem_not_an_error(fakes):
    assert running_pods(fakes.Clients(), "data", "db") == (None, [], ["StatefulSet data/db does not exist"])
