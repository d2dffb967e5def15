# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""StatefulSet settings the roles render, from the rules in module_utils/k8s (the unit tests check those)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import claim_retention, ordinals


def pvc_retention_policy(when_deleted, when_scaled, current=None):
    return claim_retention.policy_to_write(when_deleted, when_scaled, current or None)


def pvc_retention_refusal(version, when_deleted, when_scaled, variables=None):
    return claim_retention.refusal(version, when_deleted, when_scaled,
                                   tuple(variables) if variables else ("whenDeleted", "whenScaled"))


def ordinal_start_refusal(version, start, variable="spec.ordinals.start"):
    return ordinals.start_refusal(version, int(start or 0), variable)


class FilterModule(object):
    def filters(self):
        return {"pvc_retention_policy": pvc_retention_policy, "pvc_retention_refusal": pvc_retention_refusal,
                "ordinal_start_refusal": ordinal_start_refusal}
