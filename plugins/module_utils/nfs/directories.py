# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The static PVs' folders, made on the NFS server by a one-shot pod (pure functions).

The module runs wherever Ansible runs, which may have no NFS client and no login on the
NFS server; the cluster's nodes can always mount the export (the PVs need that too). So
a short-lived pod mounts the export root and makes the folders that are missing, and
says which ones it made: that is what makes ``changed`` truthful on the next run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MOUNT_PATH = "/export"
CREATED = "created "

# Runs as `sh -c SCRIPT sh <folder>...`: folder names are arguments, never pasted into code.
SCRIPT = (
    'for d in "$@"; do '
    '[ -d "%(root)s/$d" ] && continue; '
    'mkdir -p "%(root)s/$d" && chmod 0777 "%(root)s/$d" && echo "%(created)s$d" || exit 1; '
    "done" % {"root": MOUNT_PATH, "created": CREATED}
)


def relative_folders(nfs_path, directories):
    """The folders relative to the export root (each directory lies under ``nfs_path``)."""
    root = nfs_path.rstrip("/") + "/"
    return [d[len(root):] for d in directories if d.startswith(root)]


def helper_pod(name, namespace, nfs_server, nfs_path, folders, image, labels, security=None):
    """A pod that mounts the export at MOUNT_PATH and makes each missing folder, world-writable like the provisioner."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": 0,
            "securityContext": dict((security or {}).get("pod") or {}),
            "containers": [{
                "name": "mkdir",
                "image": image,
                "securityContext": dict((security or {}).get("container") or {}),
                "command": ["sh", "-c", SCRIPT, "sh"] + list(folders),
                "volumeMounts": [{"name": "export", "mountPath": MOUNT_PATH}],
            }],
            "volumes": [{"name": "export", "nfs": {"server": nfs_server, "path": nfs_path}}],
        },
    }


def created_from_log(log):
    """The folders the helper pod says it made."""
    return [line[len(CREATED):].strip() for line in (log or "").splitlines() if line.startswith(CREATED)]
