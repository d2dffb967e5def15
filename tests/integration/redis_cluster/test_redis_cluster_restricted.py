"""The redis_cluster role in a namespace that enforces the "restricted" Pod Security Standard.

The API server's own Pod Security admission plugin decides (on by default from 1.25); the
test bed's node agent runs each container as its securityContext says, so "uid 999" is
read from the processes themselves and from the files they wrote on the NFS claims.
One namespace for the module, built on in file order.
"""

import json
import os
from pathlib import Path

import pytest
from kubernetes.client.rest import ApiException
from redis_helpers import ROLE_TASK, all_members_ok, assert_ok, cluster_client, task_result

from tests.support.cluster import enforcing, fresh_namespace
from tests.support.pods import exec_output, main_process_status, runs_as

# Pod Security admission is GA, and on by default, from 1.25: older servers have nothing to test.
pytestmark = pytest.mark.kubernetes("1.25")

CHECK_TASK = "Refuse pods the namespace's Pod Security level would not admit (nothing is changed yet)"
REDIS_UID = 999


@pytest.fixture(scope="module")
def redis_namespace(core_v1):
    """This module's namespace, labelled pod-security.kubernetes.io/enforce=restricted."""
    with fresh_namespace(core_v1, "t-redis-restricted", labels=enforcing("restricted")) as name:
        yield name


def _made_in(core_v1, apps_v1, namespace):
    return {
        "configmaps": [c.metadata.name for c in core_v1.list_namespaced_config_map(namespace).items
                       if c.metadata.name != "kube-root-ca.crt"],
        "secrets": [s.metadata.name for s in core_v1.list_namespaced_secret(namespace).items],
        "services": [s.metadata.name for s in core_v1.list_namespaced_service(namespace).items],
        "statefulsets": [s.metadata.name for s in apps_v1.list_namespaced_stateful_set(namespace).items],
    }


def test_a_security_context_that_breaks_restricted_fails_before_anything_is_made(
        role, core_v1, apps_v1, redis_namespace):
    escalating = {"allowPrivilegeEscalation": True, "capabilities": {"drop": ["ALL"]}}
    result = role(redis_namespace, redis_cluster_security_context=escalating)
    assert result.rc != 0
    refused = task_result(result, CHECK_TASK)
    assert refused.get("failed"), refused
    assert 'namespace %s enforces Pod Security "restricted"' % redis_namespace in refused["msg"]
    assert "StatefulSet %s/redis" % redis_namespace in refused["msg"]
    assert "spec.containers[0].securityContext.allowPrivilegeEscalation must be false" in refused["msg"]
    assert "spec.containers[1].securityContext.allowPrivilegeEscalation must be false" in refused["msg"]
    assert _made_in(core_v1, apps_v1, redis_namespace) == {
        "configmaps": [], "secrets": [], "services": [], "statefulsets": []}


def test_the_role_forms_the_cluster_in_the_restricted_namespace(role, core_v1, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    formed = task_result(result, ROLE_TASK)
    assert formed["state"] == "empty" and formed["changed"]
    assert all_members_ok(core_v1, redis_namespace, 6)
    client = cluster_client(core_v1, redis_namespace)
    client.set("restricted", "works")
    assert client.get("restricted") == "works"
    client.close()


def test_every_container_runs_as_the_redis_user_without_privilege_escalation(core_v1, redis_namespace):
    pods = core_v1.list_namespaced_pod(redis_namespace).items
    assert len(pods) == 6
    for pod in pods:
        for container in ("redis", "heal"):
            uid, gid, groups, no_new_privs = runs_as(main_process_status(pod, container))
            assert (uid, gid, groups, no_new_privs) == (REDIS_UID, REDIS_UID, [REDIS_UID], True), (
                pod.metadata.name, container)
            ids = exec_output(core_v1, redis_namespace, pod.metadata.name, container, ["sh", "-c", "id -u; id -g"])
            assert ids.split() == [str(REDIS_UID), str(REDIS_UID)], (pod.metadata.name, container, ids)


def test_the_data_on_the_nfs_claims_belongs_to_the_redis_user(core_v1, redis_namespace):
    claims = core_v1.list_namespaced_persistent_volume_claim(redis_namespace).items
    assert len(claims) == 6
    for claim in claims:
        volume = core_v1.read_persistent_volume(claim.spec.volume_name)
        # The test bed's NFS export path is the host path (testbed/README.md, "NFS").
        folder = Path(volume.spec.nfs.path)
        assert os.stat(folder / "nodes.conf").st_uid == REDIS_UID, claim.metadata.name
        assert os.stat(folder / "appendonlydir").st_uid == REDIS_UID, claim.metadata.name


def _dry_run_pod(core_v1, namespace, template, name):
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"dry-run": "true"}},
            "spec": template}
    return core_v1.create_namespaced_pod(namespace, body, dry_run="All")


def test_the_admission_plugin_refuses_what_the_role_refused_and_admits_what_it_runs(
        api_client, core_v1, apps_v1, redis_namespace):
    statefulset = apps_v1.read_namespaced_stateful_set("redis", redis_namespace)
    template = api_client.sanitize_for_serialization(statefulset.spec.template.spec)
    template.pop("volumes")  # the claim "data" comes from the volumeClaimTemplate; a bare pod would not find it
    for container in template["containers"]:
        container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] == "config"]
    template["volumes"] = [{"name": "config", "configMap": {"name": "redis"}}]
    _dry_run_pod(core_v1, redis_namespace, template, "admitted")
    template["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    with pytest.raises(ApiException) as refused:
        _dry_run_pod(core_v1, redis_namespace, template, "refused")
    assert refused.value.status == 403
    message = json.loads(refused.value.body)["message"]
    assert 'violates PodSecurity "restricted:latest"' in message
    assert 'container "redis" must set securityContext.allowPrivilegeEscalation=false' in message


def test_a_second_run_changes_nothing(role, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    assert result.stats["changed"] == 0, result.stdout[-3000:]
