"""Who a container runs as: the node agent's rules (no cluster needed)."""

import os
import stat

import pytest

from testbed.node import identity, images, volumes
from testbed.node.environment import ConfigError
from testbed.node.launcher import closed_folders

POD = {"metadata": {"name": "redis-0"}, "spec": {"securityContext": {
    "runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999, "fsGroup": 999, "supplementalGroups": [5000]}}}


def test_the_pods_context_applies_and_the_containers_fields_win():
    assert identity.container_identity(POD, {"name": "redis"}) == identity.Identity(999, 999, (999, 5000), False)
    container = {"name": "heal", "securityContext": {"runAsUser": 1000, "allowPrivilegeEscalation": False}}
    assert identity.container_identity(POD, container) == identity.Identity(1000, 999, (999, 5000), True)


def test_no_context_is_the_images_root():
    assert identity.container_identity({"metadata": {"name": "p"}, "spec": {}}, {"name": "c"}) == identity.Identity()


def test_run_as_non_root_refuses_uid_0_with_the_kubelets_message():
    pod = {"metadata": {"name": "p"}, "spec": {"securityContext": {"runAsNonRoot": True}}}
    with pytest.raises(ConfigError, match=r"container has runAsNonRoot and image will run as root \(pod: p, "
                                          r"container: c\)"):
        identity.container_identity(pod, {"name": "c"})


def test_exec_switches_to_the_main_process_ids_groups_and_no_new_privs():
    assert identity.switch_argv(identity.Identity()) == []
    assert identity.switch_argv(identity.Identity(999, 999, (999,), True)) == [
        "setpriv", "--reuid=999", "--regid=999", "--groups=999", "--no-new-privs", "--"]
    assert identity.switch_argv(identity.Identity(65534, 65534)) == [
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def test_our_own_process_reads_back_as_root():
    assert identity.process_identity(os.getpid()).uid == os.getuid()


def test_the_first_folder_a_user_may_not_enter_is_the_one_covered():
    refused = {"/root"}
    closed = closed_folders(["/root/.pyenv/versions/3.11.7", "/work/main/.venv", "/root/x"],
                            lambda folder: folder not in refused)
    assert closed == {"/root": ["/root/.pyenv/versions/3.11.7", "/root/x"]}


def test_fs_group_gives_volumes_to_the_group_as_the_kubelet_does(tmp_path):
    (tmp_path / "sub").mkdir(mode=0o755)
    (tmp_path / "sub" / "key").write_text("secret")
    os.chmod(tmp_path / "sub" / "key", 0o400)
    volumes.owned_by_group(tmp_path, 4321, read_only=True)
    key = os.stat(tmp_path / "sub" / "key")
    folder = os.stat(tmp_path / "sub")
    assert (key.st_gid, stat.S_IMODE(key.st_mode)) == (4321, 0o440)
    assert (folder.st_gid, stat.S_IMODE(folder.st_mode)) == (4321, 0o2755)


def test_an_images_own_folders_belong_to_its_user_and_tmp_to_all(tmp_path):
    redis = images.CATALOG["redis"]
    volumes.private_folder(tmp_path / "data", "/data", redis)
    volumes.private_folder(tmp_path / "tmp", "/tmp", redis)
    assert (os.stat(tmp_path / "data").st_uid, os.stat(tmp_path / "data").st_gid) == (999, 999)
    assert stat.S_IMODE(os.stat(tmp_path / "tmp").st_mode) == 0o1777
