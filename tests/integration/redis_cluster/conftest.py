"""Fixtures for the Redis tests: storage, a namespace per test module, playbook runners.

Storage: by default the test bed's NFS StorageClass (nfs-client, stood up by
testbed/playbooks/storage.yml, dynamic provisioning), the path the role is for.
``REDIS_TEST_STORAGE=static`` pre-creates a StorageClass without provisioner and hostPath
PersistentVolumes for the module's namespace instead, to tell a storage problem from a
Redis one.
"""

import os

import pytest
from redis_helpers import (
    MODULE_PLAYBOOK,
    MODULE_TASK,
    ROLE_PLAYBOOK,
    STORAGE_CLASS,
    STORAGE_PLAYBOOK,
    role_vars,
    task_result,
)

from tests.support.cluster import fresh_namespace, static_storage


@pytest.fixture(scope="module")
def redis_namespace(core_v1, request):
    """One namespace for a whole test module: its tests build on each other's cluster, in file order."""
    with fresh_namespace(core_v1, "t-redis-" + request.module.__name__.split("_")[-1][:12]) as name:
        yield name


@pytest.fixture(scope="module")
def storage_class(kubeconfig, api_client, redis_namespace):
    """The StorageClass the module's claims use (see the module docstring)."""
    if os.environ.get("REDIS_TEST_STORAGE", "nfs") == "nfs":
        from testbed.testing import run_playbook

        result = run_playbook(STORAGE_PLAYBOOK, kubeconfig)
        assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
        yield STORAGE_CLASS
        return
    with static_storage(api_client, redis_namespace) as name:
        yield name


@pytest.fixture
def role(kubeconfig, storage_class):
    """``role(namespace, check=False, **vars)`` runs the redis_cluster role; returns the playbook result."""
    from testbed.testing import run_playbook

    def run(namespace, check=False, **overrides):
        overrides.setdefault("redis_cluster_storage_class", storage_class)
        return run_playbook(ROLE_PLAYBOOK, kubeconfig, extra_vars=role_vars(namespace, **overrides), check=check,
                            diff=True, timeout=1200)

    return run


@pytest.fixture
def bootstrap(kubeconfig):
    """``bootstrap(check=False, **options)`` runs redis_cluster_bootstrap once and returns its task result."""
    from testbed.testing import run_playbook

    def run(check=False, **options):
        result = run_playbook(MODULE_PLAYBOOK, kubeconfig, extra_vars={"bootstrap_args": options}, check=check,
                              diff=True, timeout=900)
        return task_result(result, MODULE_TASK)

    return run
