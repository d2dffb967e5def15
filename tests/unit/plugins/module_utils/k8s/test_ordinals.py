from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import (
    by_ordinal,
    claim_name,
    ordinal_of,
    pod_name,
)


def test_ordinal_is_parsed_from_the_name_suffix():
    assert ordinal_of("redis-cluster-12", "redis-cluster") == 12
    assert ordinal_of("redis-cluster-0", "redis-cluster") == 0


def test_names_of_other_statefulsets_and_padded_suffixes_are_not_ordinals():
    assert ordinal_of("redis-12", "redis-cluster") is None
    assert ordinal_of("redis-cluster-exporter-1", "redis-cluster") is None
    assert ordinal_of("redis-cluster-01", "redis-cluster") is None
    assert ordinal_of("redis-cluster-", "redis-cluster") is None


def test_pods_sort_numerically_not_by_name():
    names = ["web-10", "web-2", "web-1", "web-0", "other-3"]
    assert list(by_ordinal(names, "web").items()) == [(0, "web-0"), (1, "web-1"), (2, "web-2"), (10, "web-10")]


def test_claim_names_match_the_controller():
    assert pod_name("mysql", 3) == "mysql-3"
    assert claim_name("data", "mysql", 3) == "data-mysql-3"


def test_a_statefulset_without_ordinals_starts_at_zero(load):
    statefulset = load("statefulset_web")
    assert ordinals.start_of(statefulset) == 0
    assert list(ordinals.ordinals_of(statefulset)) == list(range(ordinals.replicas_of(statefulset)))


def test_spec_ordinals_start_moves_every_ordinal():
    statefulset = {"metadata": {"name": "db"}, "spec": {"replicas": 3, "ordinals": {"start": 5}}}
    assert ordinals.start_of(statefulset) == 5
    assert list(ordinals.ordinals_of(statefulset)) == [5, 6, 7]
    assert list(ordinals.ordinals_of(statefulset, replicas=1)) == [5]
    assert [ordinals.pod_name("db", o) for o in ordinals.ordinals_of(statefulset)] == ["db-5", "db-6", "db-7"]


def test_replicas_default_to_one_and_zero_replicas_have_no_ordinals():
    assert list(ordinals.ordinals_of({"spec": {"ordinals": {"start": 5}}})) == [5]
    assert list(ordinals.ordinal_range(5, 0)) == []


def test_a_first_ordinal_is_refused_on_a_server_that_would_drop_it():
    from .test_versions import V1_20, V1_27_VENDOR

    found = ordinals.start_refusal(V1_20, 5, "redis_cluster_ordinal_start")
    assert found.startswith("redis_cluster_ordinal_start: 5 needs Kubernetes 1.27 or later")
    assert "this server is 1.20" in found and "set redis_cluster_ordinal_start to 0" in found
    assert ordinals.start_refusal(V1_20, 0) == ""
    assert ordinals.start_refusal(V1_27_VENDOR, 5) == ""
