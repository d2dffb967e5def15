from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess

from ansible_collections.stateful.kube.plugins.module_utils.nfs.directories import (
    MOUNT_PATH,
    created_from_log,
    helper_pod,
    relative_folders,
)


def test_folders_are_taken_relative_to_the_export_root():
    directories = ["/srv/nfs/db-data-mysql-0", "/srv/nfs/db-data-mysql-1", "/elsewhere/x"]
    assert relative_folders("/srv/nfs/", directories) == ["db-data-mysql-0", "db-data-mysql-1"]


def test_helper_pod_mounts_the_export_root_and_passes_folders_as_arguments():
    pod = helper_pod("mk", "db", "10.0.0.5", "/srv/nfs", ["db-data-mysql-0"], "busybox:1.36", {"a": "b"})
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["volumes"] == [{"name": "export", "nfs": {"server": "10.0.0.5", "path": "/srv/nfs"}}]
    container = spec["containers"][0]
    assert container["volumeMounts"][0]["mountPath"] == MOUNT_PATH
    assert container["command"][:2] == ["sh", "-c"] and container["command"][-1] == "db-data-mysql-0"


def test_the_script_makes_only_missing_folders_and_reports_them(tmp_path):
    """Run the pod's real script with a real shell against a folder standing in for the export."""
    command = helper_pod("mk", "db", "s", "/srv", ["a", "b"], "busybox", {})["spec"]["containers"][0]["command"]
    script = command[2].replace(MOUNT_PATH, str(tmp_path))
    (tmp_path / "a").mkdir()
    first = subprocess.run(["sh", "-c", script, "sh", "a", "b"], capture_output=True, text=True, check=True)
    assert created_from_log(first.stdout) == ["b"]
    assert (tmp_path / "b").is_dir()
    again = subprocess.run(["sh", "-c", script, "sh", "a", "b"], capture_output=True, text=True, check=True)
    assert created_from_log(again.stdout) == []
