"""Fixtures for the NFS tests: the test bed's storage, stood up once, and a runner for the module."""

import pytest
from nfs_helpers import MODULE_PLAYBOOK, STORAGE_PLAYBOOK


@pytest.fixture(scope="session")
def storage(kubeconfig):
    """The test bed's storage (ganesha + provisioner + StorageClass nfs-client), stood up once per session."""
    from testbed.testing import run_playbook

    result = run_playbook(STORAGE_PLAYBOOK, kubeconfig)
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return result


@pytest.fixture
def nfs_module(playbook):
    """``nfs_module(**options)`` runs stateful.kube.nfs_provisioner once and returns (rc, task result)."""

    def run(check=False, **options):
        result = playbook(MODULE_PLAYBOOK, extra_vars={"nfs_args": options}, check=check, diff=True)
        found = result.task_results("Call the module with the test's options")
        assert found, result.stdout[-3000:] + result.stderr[-2000:]
        return result.rc, found[0]

    return run


@pytest.fixture
def clean_export(namespace):
    """Remove the folders a test's claims left on the export (theirs contain the namespace's name)."""
    import shutil

    from nfs_helpers import EXPORT

    yield
    for path in EXPORT.iterdir():
        if namespace in path.name:
            shutil.rmtree(path, ignore_errors=True)
