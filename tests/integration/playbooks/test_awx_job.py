"""A shipped playbook run as an AWX job template runs it: through ansible-runner (AWX's
engine), with no kubeconfig, only the K8S_AUTH_* variables that AWX's "OpenShift or
Kubernetes API Bearer Token" credential injects, and a token that is `admin` in the
workload's namespace and nothing more (a ServiceAccount's, from the TokenRequest API).

Any cluster-scoped read or write in redis.yml would be refused (403) with such a token, so
a successful run proves the playbook needs none once the storage is in place.
"""

import base64
import os
import sys
from pathlib import Path

import pytest
from kubernetes import client as k8s_client

from testbed import config
from testbed.testing import collections_path, run_playbook

PLAYBOOK = config.REPO_ROOT / "playbooks" / "redis.yml"
STORAGE_PLAYBOOK = config.STORAGE_PLAYBOOK
BOOTSTRAP_TASK = "Form, grow or heal the cluster"  # of the role redis_cluster


@pytest.fixture
def storage(kubeconfig):
    """The test bed's StorageClass nfs-client, set up with the admin kubeconfig (storage is cluster-scoped)."""
    result = run_playbook(STORAGE_PLAYBOOK, kubeconfig)
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.fixture
def namespace_admin_token(api_client, core_v1, namespace):
    """A token of a ServiceAccount bound to the ClusterRole admin in ``namespace`` only."""
    core_v1.create_namespaced_service_account(namespace, {"metadata": {"name": "awx-job"}})
    k8s_client.RbacAuthorizationV1Api(api_client).create_namespaced_role_binding(namespace, {
        "metadata": {"name": "awx-job-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "awx-job", "namespace": namespace}]})
    request = core_v1.create_namespaced_service_account_token(
        "awx-job", namespace, {"spec": {"audiences": [], "expirationSeconds": 3600}})
    return request.status.token


@pytest.fixture
def awx_credential_env(api_client, namespace_admin_token, tmp_path, monkeypatch):
    """The environment of an AWX job with the bearer-token credential, and no kubeconfig anywhere."""
    for name in list(os.environ):
        if name == "KUBECONFIG" or name.startswith("K8S_AUTH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.kube/config to fall back on
    ca_file = tmp_path / "ca.crt"
    ca = api_client.configuration.ssl_ca_cert
    ca_file.write_bytes(Path(ca).read_bytes() if ca else base64.b64decode(api_client.configuration.cert_data))
    return {
        "K8S_AUTH_HOST": api_client.configuration.host,
        "K8S_AUTH_API_KEY": namespace_admin_token,
        "K8S_AUTH_VERIFY_SSL": "True",
        "K8S_AUTH_SSL_CA_CERT": str(ca_file),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path()),
        "PATH": "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")),
    }


def run_job(tmp_path, envvars, extravars, name):
    import ansible_runner

    (tmp_path / name).mkdir()
    return ansible_runner.run(
        private_data_dir=str(tmp_path / name), playbook=str(PLAYBOOK), envvars=envvars, extravars=extravars,
        # AWX runs a job's localhost plays with the execution environment's own Python.
        inventory="localhost ansible_connection=local ansible_python_interpreter=%s" % sys.executable,
        quiet=True, suppress_env_files=True)


def task_results(runner, task):
    return [event["event_data"]["res"] for event in runner.events
            if event.get("event") == "runner_on_ok" and event["event_data"].get("task") == task]


def test_redis_playbook_runs_as_awx_job_with_namespace_admin_token(
        storage, namespace, awx_credential_env, tmp_path, apps_v1):
    extravars = {"workload_namespace": namespace, "create_namespace": False,
                 "redis_masters": 3, "redis_replicas_per_master": 0, "redis_password": "awx-job-test"}

    first = run_job(tmp_path, awx_credential_env, extravars, "first")

    output = first.stdout.read()
    assert first.status == "successful", output[-6000:]
    assert apps_v1.read_namespaced_stateful_set(name="redis", namespace=namespace).status.ready_replicas == 3
    formed = task_results(first, BOOTSTRAP_TASK)
    assert formed, output[-4000:]
    masters = [member for member in formed[-1]["topology"] if member["role"] == "master"]
    assert len(masters) == 3 and all(member["slot_count"] > 0 for member in masters)

    again = run_job(tmp_path, awx_credential_env, extravars, "again")

    assert again.status == "successful", again.stdout.read()[-6000:]
    assert again.stats["changed"] == {}, "a re-run as the same job changed something: %s" % again.stats
