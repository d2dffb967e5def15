"""The redis_cluster role's StatefulSet as the role renders it: the first ordinal, the claim retention policy and
the Pod Security of its pods."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.filter.pod_security import pod_security_refusal
from ansible_collections.stateful.kube.plugins.filter.statefulset import pvc_retention_policy
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pod_security
from ansible_collections.stateful.kube.tests.unit.roles import templating


def render_statefulset(current=None, **overrides):
    variables = templating.role_variables("redis_cluster")
    variables.update(overrides)
    # The role's filter (plugins/filter/statefulset.py), called as vars/main.yml calls it.
    variables["_redis_cluster_pvc_retention"] = pvc_retention_policy(
        variables["redis_cluster_pvc_retention_when_deleted"], variables["redis_cluster_pvc_retention_when_scaled"],
        current)
    (statefulset,) = templating.render("redis_cluster", "statefulset", variables)
    return statefulset


def test_defaults_render_the_manifest_a_server_before_1_27_knows():
    spec = render_statefulset()["spec"]
    assert "ordinals" not in spec
    assert "persistentVolumeClaimRetentionPolicy" not in spec
    assert spec["replicas"] == 6


def test_the_first_ordinal_is_spec_ordinals_start():
    spec = render_statefulset(redis_cluster_ordinal_start=5)["spec"]
    assert spec["ordinals"] == {"start": 5}


def test_delete_when_scaled_is_written_with_retain_when_deleted():
    spec = render_statefulset(redis_cluster_pvc_retention_when_scaled="Delete")["spec"]
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Delete"}


def test_going_back_to_retain_is_written_once_the_statefulset_has_the_field():
    current = {"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"}}}
    spec = render_statefulset(current)["spec"]
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}


def test_the_pods_pass_restricted_by_default_as_the_redis_user():
    pod = render_statefulset()["spec"]["template"]["spec"]
    assert pod_security.violations(pod, "restricted") == []
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["fsGroup"]) == (999, 999)
    assert [c["securityContext"]["capabilities"]["drop"] for c in pod["containers"]] == [["ALL"], ["ALL"]]


def test_an_override_that_breaks_restricted_is_refused_naming_the_level_and_fields():
    pod = render_statefulset(redis_cluster_pod_security_context={"runAsUser": 999})["spec"]["template"]["spec"]
    namespace = {"metadata": {"name": "apps", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}
    refusal = pod_security_refusal(pod, namespace, "StatefulSet apps/redis")
    assert refusal.startswith('namespace apps enforces Pod Security "restricted", which would refuse the pods of '
                              "StatefulSet apps/redis: ")
    assert "spec.containers[1].securityContext.runAsNonRoot must be true" in refusal
    assert "spec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost" in refusal
    baseline = {"metadata": {"name": "apps", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}
    assert pod_security_refusal(pod, baseline, "StatefulSet apps/redis") == ""
