"""Fixtures for the MySQL tests: the NFS StorageClass, one namespace per test module, the role runner."""

import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from mysql_helpers import ROLE_PLAYBOOK, STORAGE_CLASS, STORAGE_PLAYBOOK, role_vars  # noqa: E402


@pytest.fixture(scope="module")
def mysql_namespace(core_v1, request):
    from kubernetes import client as k8s_client

    name = "t-mysql-%s" % uuid.uuid4().hex[:6]
    core_v1.create_namespace(k8s_client.V1Namespace(metadata=k8s_client.V1ObjectMeta(name=name)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if core_v1.list_namespaced_service_account(name, field_selector="metadata.name=default").items:
            break
        time.sleep(0.1)
    yield name
    core_v1.delete_namespace(name)


@pytest.fixture(scope="module")
def storage_class(kubeconfig):
    from testbed.testing import run_playbook

    result = run_playbook(STORAGE_PLAYBOOK, kubeconfig)
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return STORAGE_CLASS


@pytest.fixture
def role(kubeconfig, storage_class):
    """``role(namespace, check=False, **vars)`` runs the mysql role; returns the playbook result."""
    from testbed.testing import run_playbook

    def run(namespace, check=False, **overrides):
        overrides.setdefault("mysql_storage_class", storage_class)
        return run_playbook(ROLE_PLAYBOOK, kubeconfig, extra_vars=role_vars(namespace, **overrides), check=check,
                            diff=True, timeout=1200)

    return run
