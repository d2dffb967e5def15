#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: nfs_provisioner
short_description: An NFS dynamic provisioner and its StorageClass, or static NFS PVs for a StatefulSet, in one task
version_added: 0.1.0
description:
  - With I(mode=dynamic), makes the whole nfs-subdir-external-provisioner present or absent - ServiceAccount,
    ClusterRole and ClusterRoleBinding (PVs, PVCs, StorageClasses, events), a namespaced Role and RoleBinding on
    C(coordination.k8s.io) leases for leader election, the Deployment (one replica, C(Recreate) strategy, the NFS
    export as a volume) and the StorageClass.
  - With I(mode=static), for clusters without a provisioner, makes one PV per StatefulSet ordinal, each pre-bound
    by C(claimRef) to the claim C(<claim_template>-<statefulset>-<ordinal>) the StatefulSet will create, so the
    claims bind as soon as they appear. The PV of ordinal N uses the folder C(<nfs_path>/<namespace>-<claim>),
    which a short-lived helper pod mounting the export makes when it is missing (I(static.create_directories)).
  - Objects are compared on the fields this module sets, so a second run changes nothing; C(changed) and the diff
    name exactly what was created, updated, recreated or deleted. Objects are labelled
    C(stateful.kube/nfs-provisioner) (dynamic) or C(stateful.kube/nfs-static) (static); I(state=absent) deletes only
    objects with that label, and an object of the same name without it makes I(state=present) fail.
  - Bad names, unknown options, an unreachable NFS server (with I(validate)) and a StorageClass whose immutable
    fields differ all fail before anything is changed.
author:
  - stateful.kube contributors (@stateful-kube)
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description: Reports the plan and its diff without changing anything; I(wait) and I(validate) are skipped.
  diff_mode:
    support: full
    description: Before and after of every object the run changes, on the fields this module sets.
options:
  state:
    description: Whether the objects should exist.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description: C(dynamic) for the provisioner and its StorageClass, C(static) for pre-bound PVs.
    type: str
    choices: [dynamic, static]
    default: dynamic
  namespace:
    description:
      - Namespace of the provisioner (dynamic), or of the StatefulSet whose claims the PVs are for (static).
      - It must exist; this module does not create or delete namespaces.
    type: str
    required: true
  name:
    description: Name of the ServiceAccount and Deployment, and the base of the RBAC objects' names (dynamic).
    type: str
    default: nfs-subdir-external-provisioner
  nfs_server:
    description: Address or host name of the NFS server. Required with I(state=present).
    type: str
  nfs_path:
    description: The exported path on the NFS server under which volumes get their folders. Required with
      I(state=present).
    type: str
  image:
    description: The provisioner's image.
    type: str
    default: registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2
  pod_security_context:
    description:
      - The securityContext of the provisioner's pod (and of the static mode's folder-making pod).
      - The default keeps the image's user (root, which writes any export that does not squash root, and removes
        every claim's folder whoever wrote in it) with the RuntimeDefault seccomp profile. A non-root user (e.g.
        C(runAsNonRoot=true), C(runAsUser=65534), C(runAsGroup=65534), what root becomes on a C(root_squash) export)
        needs an export folder that user may write, and cannot remove subfolders other users made.
      - Before any change the module checks the pod against the level the namespace enforces
        (C(pod-security.kubernetes.io/enforce)) and fails naming the level and each field. The export is mounted as
        an C(nfs) volume, which C(baseline) allows and C(restricted) does not.
    type: dict
    default: {seccompProfile: {type: RuntimeDefault}}
  security_context:
    description:
      - The securityContext of the provisioner's container (and of the static mode's folder-making container).
      - The default forbids privilege escalation. C(capabilities.drop=[ALL]) is fine for a non-root user; root
        without C(DAC_OVERRIDE) cannot remove folders other users own.
    type: dict
    default: {allowPrivilegeEscalation: false}
  provisioner_name:
    description: The provisioner name the Deployment registers and the StorageClass names.
    type: str
    default: k8s-sigs.io/nfs-subdir-external-provisioner
  storage_class:
    description: The StorageClass (dynamic mode). Unknown keys are refused.
    type: dict
    default: {}
    suboptions:
      name:
        description: Name of the StorageClass.
        type: str
        default: nfs-client
      default_class:
        description: Mark it as the cluster's default StorageClass.
        type: bool
        default: false
      reclaim_policy:
        description: Reclaim policy of the PVs it makes.
        type: str
        choices: [Delete, Retain]
        default: Delete
      volume_binding_mode:
        description: When claims are provisioned.
        type: str
        choices: [Immediate, WaitForFirstConsumer]
        default: Immediate
      allow_volume_expansion:
        description: Allow claims to grow (the NFS folder has no size limit anyway).
        type: bool
        default: false
      mount_options:
        description: Mount options of the PVs, such as C(nfsvers=4.1).
        type: list
        elements: str
        default: []
      archive_on_delete:
        description: When a claim is deleted, rename its folder to C(archived-<folder>) instead of removing it.
        type: bool
        default: true
      on_delete:
        description: C(delete) or C(retain) the folder of a deleted claim; overrides I(archive_on_delete).
        type: str
        choices: [delete, retain]
      path_pattern:
        description: Folder of each volume, from C(${.PVC.namespace}), C(${.PVC.name}), C(${.PVC.annotations.X}) and
          C(${.PVC.labels.X}); default C(<namespace>-<claim>-<pv>).
        type: str
  recreate_storageclass:
    description:
      - When the StorageClass exists with other C(parameters), C(provisioner), C(reclaimPolicy) or
        C(volumeBindingMode) (which Kubernetes does not allow to change), delete and recreate it. Existing PVs and
        their data are not touched. Without it, such a difference fails the task.
    type: bool
    default: false
  static:
    description: The StatefulSet whose claims get PVs (static mode). Unknown keys are refused.
    type: dict
    suboptions:
      statefulset:
        description: Name of the StatefulSet.
        type: str
        required: true
      claim_template:
        description: Name of its volumeClaimTemplate.
        type: str
        required: true
      replicas:
        description: How many ordinals, from I(static.first_ordinal), get a PV.
        type: int
        required: true
      first_ordinal:
        description: The StatefulSet's first ordinal, its C(spec.ordinals.start) (0 unless it sets one).
        type: int
        default: 0
      size:
        description: Capacity of each PV; the claims must request at most this.
        type: str
        default: 1Gi
      access_modes:
        description: Access modes of each PV; they must include the claims' access modes.
        type: list
        elements: str
        default: [ReadWriteOnce]
      storage_class_name:
        description:
          - C(storageClassName) of the PVs; it must equal the claim template's. The default C("") matches a
            template with C(storageClassName) set to C(""), which also keeps a default StorageClass from
            provisioning the claims instead.
        type: str
        default: ""
      reclaim_policy:
        description: Reclaim policy of the PVs.
        type: str
        choices: [Retain, Delete]
        default: Retain
      mount_options:
        description: Mount options of the PVs.
        type: list
        elements: str
        default: []
      create_directories:
        description:
          - Make each PV's folder on the NFS server when it is missing, with a short-lived pod in I(namespace)
            that mounts the export (the nodes can mount it, as the PVs need; the Ansible host may not).
          - Existing folders and their contents are never touched. Skipped in check mode.
        type: bool
        default: true
      helper_image:
        description: Image of that pod; it needs C(sh), C(mkdir) and C(chmod).
        type: str
        default: busybox:1.36
      directories_timeout:
        description: Seconds the helper pod may take to finish.
        type: int
        default: 60
  force:
    description: In static mode, also delete (I(state=absent)) or recreate a PV that is bound to a claim.
    type: bool
    default: false
  wait:
    description: Wait until the provisioner's Deployment is available (dynamic mode).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the Deployment.
    type: int
    default: 120
  validate:
    description:
      - Before any change, check that the NFS server accepts TCP connections on port 2049 from this host.
      - After the run (dynamic mode), create a 1Mi claim, wait until it is bound, report its PV and NFS path, then
        delete it. It uses a temporary StorageClass of the same provisioner with C(onDelete=delete), so its folder is
        removed too and nothing is left behind.
    type: bool
    default: false
  validate_timeout:
    description: Seconds for the validation claim to bind, and again for its PV to be deleted.
    type: int
    default: 60
requirements:
  - kubernetes >= 24.2.0
  - kubernetes.core >= 5.0.0
notes:
  - The provisioner has no leader election to do with one replica; the Role on leases is there for the upstream
    image's leader election.
"""

EXAMPLES = r"""
- name: Make the NFS provisioner and its StorageClass, wait for it and prove it provisions
  stateful.kube.nfs_provisioner:
    namespace: nfs-provisioner
    nfs_server: 10.0.0.5
    nfs_path: /srv/nfs/kube
    storage_class:
      name: nfs-client
      archive_on_delete: true
      mount_options: [nfsvers=4.1]
    wait: true
    validate: true
  register: nfs

- name: Pre-create one PV per ordinal of the redis StatefulSet
  stateful.kube.nfs_provisioner:
    mode: static
    namespace: data
    nfs_server: 10.0.0.5
    nfs_path: /srv/nfs/kube
    static:
      statefulset: redis
      claim_template: data
      replicas: 3
      size: 2Gi

- name: Remove the provisioner; existing PVs and their folders stay
  stateful.kube.nfs_provisioner:
    namespace: nfs-provisioner
    state: absent
"""

RETURN = r"""
actions:
  description: What the run did (or would do in check mode), in order, as C(<verb> <Kind> <namespace>/<name>).
  returned: always
  type: list
  elements: str
  sample: ["create ServiceAccount nfs-provisioner/nfs-subdir-external-provisioner", "create StorageClass nfs-client"]
objects:
  description: Each object this module manages and the state it was found in (absent, in_sync, drifted, immutable,
    foreign).
  returned: always
  type: dict
kept:
  description: Objects that I(state=absent) left in place, and why (bound PVs without I(force), foreign objects).
  returned: always
  type: list
  elements: str
directories:
  description: The folders on the NFS server that the static PVs use.
  returned: in static mode
  type: list
  elements: str
directories_created:
  description: The folders that did not exist and were made by the helper pod (I(static.create_directories)).
  returned: in static mode with I(static.create_directories), not in check mode
  type: list
  elements: str
available_after:
  description: Seconds until the Deployment was available (I(wait)).
  returned: when I(wait) and not in check mode
  type: float
validation:
  description: The validation claim, its PV and NFS path, and the seconds until it was bound and cleaned up.
  returned: when I(validate) and not in check mode, in dynamic mode
  type: dict
  sample: {"claim": "nfs-provisioner/nfs-subdir-external-provisioner-validate-1a2b3c", "volume": "pvc-0c1d...",
           "nfs_server": "10.0.0.5", "nfs_path": "/srv/nfs/kube/nfs-provisioner-...", "bound_after": 1.4,
           "cleaned_after": 2.9, "storage_class": "nfs-client-validate-1a2b3c"}
"""

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import new_module  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.k8s.runner import run  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.nfs import run as provisioner  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.nfs.options import check_options  # noqa: E402

STORAGE_CLASS_OPTIONS = dict(
    name=dict(type="str", default="nfs-client"),
    default_class=dict(type="bool", default=False),
    reclaim_policy=dict(type="str", choices=["Delete", "Retain"], default="Delete"),
    volume_binding_mode=dict(type="str", choices=["Immediate", "WaitForFirstConsumer"], default="Immediate"),
    allow_volume_expansion=dict(type="bool", default=False),
    mount_options=dict(type="list", elements="str", default=[]),
    archive_on_delete=dict(type="bool", default=True),
    on_delete=dict(type="str", choices=["delete", "retain"]),
    path_pattern=dict(type="str"),
)

STATIC_OPTIONS = dict(
    statefulset=dict(type="str", required=True),
    claim_template=dict(type="str", required=True),
    replicas=dict(type="int", required=True),
    first_ordinal=dict(type="int", default=0),
    size=dict(type="str", default="1Gi"),
    access_modes=dict(type="list", elements="str", default=["ReadWriteOnce"]),
    storage_class_name=dict(type="str", default=""),
    reclaim_policy=dict(type="str", choices=["Retain", "Delete"], default="Retain"),
    mount_options=dict(type="list", elements="str", default=[]),
    create_directories=dict(type="bool", default=True),
    helper_image=dict(type="str", default="busybox:1.36"),
    directories_timeout=dict(type="int", default=60),
)

MODULE_OPTIONS = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    mode=dict(type="str", choices=["dynamic", "static"], default="dynamic"),
    namespace=dict(type="str", required=True),
    name=dict(type="str", default="nfs-subdir-external-provisioner"),
    nfs_server=dict(type="str"),
    nfs_path=dict(type="str"),
    image=dict(type="str", default="registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2"),
    provisioner_name=dict(type="str", default="k8s-sigs.io/nfs-subdir-external-provisioner"),
    pod_security_context=dict(type="dict", default={"seccompProfile": {"type": "RuntimeDefault"}}),
    security_context=dict(type="dict", default={"allowPrivilegeEscalation": False}),
    storage_class=dict(type="dict", default={}, options=STORAGE_CLASS_OPTIONS, apply_defaults=True),
    recreate_storageclass=dict(type="bool", default=False),
    static=dict(type="dict", options=STATIC_OPTIONS),
    force=dict(type="bool", default=False),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=120),
    validate=dict(type="bool", default=False),
    validate_timeout=dict(type="int", default=60),
)


def main():
    module = new_module(MODULE_OPTIONS, supports_check_mode=True)
    run(module, provisioner.run, check_options)


if __name__ == "__main__":
    main()
