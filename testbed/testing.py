"""pytest fixtures for tests that run against a live cluster (the test bed, or any cluster).

Loaded with ``-p testbed.testing`` (pyproject.toml). The only input is a kubeconfig:
``$KUBECONFIG``, else the test bed's. A missing cluster is an error, never a skip.
"""

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from testbed import config

COLLECTIONS_DIR = config.REPO_ROOT / ".build" / "collections"


def kubeconfig_path():
    # Absolute: the kubernetes client resolves a relative path against its own cwd.
    return Path(os.environ.get("KUBECONFIG") or config.KUBECONFIG).resolve()


@pytest.fixture(scope="session")
def kubeconfig():
    path = kubeconfig_path()
    if not path.exists():
        pytest.fail("no kubeconfig at %s: run `make testbed-up` (or set KUBECONFIG)" % path)
    return path


@pytest.fixture(scope="session")
def api_client(kubeconfig):
    from kubernetes import config as k8s_config

    return k8s_config.new_client_from_config(config_file=str(kubeconfig))


@pytest.fixture(scope="session")
def core_v1(api_client):
    from kubernetes import client as k8s_client

    return k8s_client.CoreV1Api(api_client)


@pytest.fixture(scope="session")
def apps_v1(api_client):
    from kubernetes import client as k8s_client

    return k8s_client.AppsV1Api(api_client)


@pytest.fixture
def namespace(core_v1, request):
    """A fresh namespace for one test, deleted afterwards (its pods are stopped by the node agent)."""
    from tests.support.cluster import create_namespace

    name = "t-%s-%s" % (request.node.name.replace("_", "-")[:40].strip("-").lower(), uuid.uuid4().hex[:5])
    name = "".join(c for c in name if c.isalnum() or c == "-")[:63].strip("-")
    create_namespace(core_v1, name)
    yield name
    core_v1.delete_namespace(name)


def collections_path():
    """A collections folder in which stateful.kube is this checkout (a symlink: edits apply at once)."""
    link = COLLECTIONS_DIR / "ansible_collections" / "stateful" / "kube"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(config.REPO_ROOT)
    return COLLECTIONS_DIR


class PlaybookResult:
    def __init__(self, completed, report):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.report = report

    def task_results(self, task_name):
        """The per-host results of every run of the task named ``task_name``."""
        found = []
        for play in self.report.get("plays", []):
            for task in play.get("tasks", []):
                if task["task"]["name"] == task_name:
                    found.extend(task["hosts"].values())
        return found

    @property
    def stats(self):
        return self.report.get("stats", {}).get("localhost", {})


def ansible_env(kubeconfig):
    """The environment for ansible and ansible-playbook on localhost: this venv, this checkout, ``kubeconfig``."""
    venv_bin = str(Path(os.sys.executable).parent)
    return dict(
        os.environ,
        PATH="%s:%s" % (venv_bin, os.environ.get("PATH", "")),
        KUBECONFIG=str(kubeconfig),
        K8S_AUTH_KUBECONFIG=str(kubeconfig),
        ANSIBLE_COLLECTIONS_PATH="%s:%s" % (collections_path(), os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="True",
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_PYTHON_INTERPRETER=str(Path(os.sys.executable)),
        ANSIBLE_ROLES_PATH=str(config.REPO_ROOT / "roles"),
    )


def run_playbook(playbook, kubeconfig, extra_vars=None, check=False, diff=False, timeout=900):
    """Run ``ansible-playbook`` on localhost and return its JSON report (ansible.posix.json callback)."""
    env = ansible_env(kubeconfig)
    argv = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        report = {}
    return PlaybookResult(completed, report)


@pytest.fixture
def playbook(kubeconfig):
    """``playbook(path, extra_vars=..., check=..., diff=...)`` runs a playbook against the cluster."""

    def run(path, **kwargs):
        return run_playbook(path, kubeconfig, **kwargs)

    return run
