# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A StatefulSet's ``persistentVolumeClaimRetentionPolicy``: what to write, and which servers honour it.

The policy says what happens to the pods' claims when the StatefulSet is deleted
(``whenDeleted``) or scaled down (``whenScaled``): ``Retain`` (the default) or ``Delete``.
The field came in Kubernetes 1.23 behind a feature gate that is on by default from 1.27;
a server without it drops the field without a word, so a ``Delete`` asked of it would be
silently ignored. Servers that have it fill in ``Retain``/``Retain`` when it is left out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import versions

RETAIN = "Retain"
FIELD = "persistentVolumeClaimRetentionPolicy"
# The first release whose StatefulSets honour the field without a feature gate being set.
SUPPORTED_FROM = (1, 27)


def asks_for_delete(when_deleted, when_scaled):
    return when_deleted != RETAIN or when_scaled != RETAIN


def policy_to_write(when_deleted, when_scaled, current=None):
    """The ``spec.persistentVolumeClaimRetentionPolicy`` to apply, or ``{}`` to leave the field out.

    ``current`` is the StatefulSet as the server has it (None when there is none yet).
    ``Retain``/``Retain`` is left out unless the StatefulSet already has the field, so that
    servers without it (before 1.27) see the manifest they always saw; once the field is
    there (a server that has it, or an earlier ``Delete``) it is always written, so that a
    return to ``Retain`` is applied and not left to a patch that keeps the old value.
    """
    has_field = FIELD in (((current or {}).get("spec")) or {})
    if not has_field and not asks_for_delete(when_deleted, when_scaled):
        return {}
    return {"whenDeleted": when_deleted, "whenScaled": when_scaled}


def refusal(version, when_deleted, when_scaled, variables=("whenDeleted", "whenScaled")):
    """Why the server cannot be given this policy (a sentence with what to do), or ``""`` when it can.

    ``variables`` name the two settings as the caller's user knows them (role variables).
    """
    if not asks_for_delete(when_deleted, when_scaled):
        return ""
    if versions.has(version, SUPPORTED_FROM):
        return ""
    deleting = " and ".join(variables[i] for i, value in enumerate((when_deleted, when_scaled)) if value != RETAIN)
    return ("%s: Delete needs Kubernetes %d.%d or later (%s), and this server is %s: it would keep the claims "
            "without a word. Nothing was changed: set %s back to Retain, or upgrade the cluster first."
            % (deleting, SUPPORTED_FROM[0], SUPPORTED_FROM[1], FIELD, versions.describe(version), deleting))
