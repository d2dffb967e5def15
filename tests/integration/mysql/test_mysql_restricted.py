"""The mysql role in a namespace that enforces the "restricted" Pod Security Standard.

The API server's Pod Security admission plugin decides (on by default from 1.25); the test
bed's node agent runs each container as its securityContext says, so "uid 999" is read
from the server processes and from the files they wrote on the NFS claims. One namespace
for the module, built on in file order.
"""

import os
from pathlib import Path

import pytest
from mysql_helpers import ROLE_TASK, assert_ok, pods, primary_ip, rows_on, task_result, wait_for, write_rows

from tests.support.cluster import enforcing, fresh_namespace
from tests.support.pods import exec_output, main_process_status, runs_as

# Pod Security admission is GA, and on by default, from 1.25: older servers have nothing to test.
pytestmark = pytest.mark.kubernetes("1.25")

CHECK_TASK = "Refuse pods the namespace's Pod Security level would not admit (nothing is changed yet)"
MYSQL_UID = 999


@pytest.fixture(scope="module")
def mysql_namespace(core_v1):
    """This module's namespace, labelled pod-security.kubernetes.io/enforce=restricted."""
    with fresh_namespace(core_v1, "t-mysql-restricted", labels=enforcing("restricted")) as name:
        yield name


def test_a_security_context_that_breaks_restricted_fails_before_anything_is_made(
        role, core_v1, apps_v1, mysql_namespace):
    as_root = {"runAsUser": 0, "fsGroup": 999, "seccompProfile": {"type": "RuntimeDefault"}}
    result = role(mysql_namespace, mysql_pod_security_context=as_root)
    assert result.rc != 0
    refused = task_result(result, CHECK_TASK)
    assert refused.get("failed"), refused
    assert 'namespace %s enforces Pod Security "restricted"' % mysql_namespace in refused["msg"]
    assert "spec.securityContext.runAsUser must not be 0" in refused["msg"]
    assert "spec.initContainers[0].securityContext.runAsNonRoot must be true" in refused["msg"]
    assert [c.metadata.name for c in core_v1.list_namespaced_config_map(mysql_namespace).items] == [
        "kube-root-ca.crt"]
    assert core_v1.list_namespaced_secret(mysql_namespace).items == []
    assert apps_v1.list_namespaced_stateful_set(mysql_namespace).items == []


def test_the_role_forms_the_replication_in_the_restricted_namespace(role, core_v1, mysql_namespace):
    result = role(mysql_namespace)
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "empty"
    ip, name = primary_ip(core_v1, mysql_namespace)
    assert name == "mysql-0"
    write_rows(ip, "restricted", 20)
    wait_for(lambda: all(rows_on(p.status.pod_ip, "restricted") == 20 for p in pods(core_v1, mysql_namespace).values()),
             what="20 rows on every server")


def test_the_servers_run_as_the_mysql_user_and_own_their_data(core_v1, mysql_namespace):
    running = pods(core_v1, mysql_namespace)
    assert len(running) == 3
    for name, pod in running.items():
        server = pod.spec.containers[0].name  # the flavor's name
        uid, gid, groups, no_new_privs = runs_as(main_process_status(pod, server))
        assert (uid, gid, groups, no_new_privs) == (MYSQL_UID, MYSQL_UID, [MYSQL_UID], True), name
        ids = exec_output(core_v1, mysql_namespace, name, server, ["sh", "-c", "id -u; id -g"])
        assert ids.split() == [str(MYSQL_UID), str(MYSQL_UID)], (name, ids)
        claim = core_v1.read_namespaced_persistent_volume_claim("data-" + name, mysql_namespace)
        folder = Path(core_v1.read_persistent_volume(claim.spec.volume_name).spec.nfs.path)
        assert os.stat(folder / "mysql" / "ibdata1").st_uid == MYSQL_UID, name
