# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' Pod Security check, from the same pure rules the modules and the unit tests use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.stateful.kube.plugins.module_utils.k8s import pod_security


def pod_security_refusal(pod_spec, namespace, what):
    """Why ``namespace`` (a Namespace object; empty when there is none) would refuse ``pod_spec``; "" if not."""
    if not isinstance(pod_spec, dict):
        raise AnsibleFilterError("pod_security_refusal: the input must be a pod spec (a dict), not %r" % pod_spec)
    level = pod_security.enforced_level(namespace)
    found = pod_security.violations(pod_spec, level)
    if not found:
        return ""
    name = ((namespace or {}).get("metadata") or {}).get("name", "?")
    return pod_security.refusal(level, name, what, found)


class FilterModule(object):
    def filters(self):
        return {"pod_security_refusal": pod_security_refusal}
