"""What the NFS tests share: the test bed's NFS server, export and helpers (fixtures are in conftest.py)."""

import subprocess
from pathlib import Path

from testbed import config

REPO = config.REPO_ROOT
STORAGE_PLAYBOOK = config.STORAGE_PLAYBOOK
MODULE_PLAYBOOK = Path(__file__).parent / "playbooks" / "nfs_provisioner.yml"
# Must match testbed/playbooks/storage.yml.
NFS_SERVER = config.BRIDGE_ADDRESS
EXPORT = Path("/srv/stateful-kube/nfs/volumes")
STORAGE_CLASS = "nfs-client"
PROVISIONER_NAMESPACE = "nfs-provisioner"


def nfs_url(path):
    return "nfs://%s%s?version=4" % (NFS_SERVER, path)


def nfs_cat(path):
    """The file's content read over NFSv4 from the test bed's ganesha (no kernel mount)."""
    done = subprocess.run(["nfs-cat", nfs_url(path)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, "nfs-cat %s failed: %s" % (nfs_url(path), done.stderr)
    return done.stdout
