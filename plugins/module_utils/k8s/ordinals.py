# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""StatefulSet ordinals: the one place that turns pod names into numbers and replica counts into ordinals.

A StatefulSet's pods are ``<name>-<ordinal>`` with ordinals ``start`` to
``start + replicas - 1``; ``start`` is ``spec.ordinals.start`` (0 unless set, Kubernetes
1.26 and later). Ordinals are numbers: ``web-10`` comes after ``web-9``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import versions

# The first release that honours spec.ordinals.start without a feature gate being set (an
# older server drops the field without a word, and the pods start at 0).
START_SUPPORTED_FROM = (1, 27)


def ordinal_of(pod_name, statefulset_name):
    """Return the ordinal of ``pod_name`` in ``statefulset_name``, or None if it is not one of its pods."""
    prefix = statefulset_name + "-"
    if not pod_name.startswith(prefix):
        return None
    suffix = pod_name[len(prefix):]
    # A StatefulSet never zero-pads, so "x-01" is not its pod: reject it like the controller would.
    if not suffix.isdigit() or (len(suffix) > 1 and suffix.startswith("0")):
        return None
    return int(suffix)


def pod_name(statefulset_name, ordinal):
    """Return the name of the pod with ``ordinal`` in ``statefulset_name``."""
    return "%s-%d" % (statefulset_name, ordinal)


def claim_name(template_name, statefulset_name, ordinal):
    """Return the name of the claim the StatefulSet controller creates for ``ordinal``."""
    return "%s-%s" % (template_name, pod_name(statefulset_name, ordinal))


def by_ordinal(pod_names, statefulset_name):
    """Return ``{ordinal: name}`` for the names that belong to ``statefulset_name``, in ordinal order."""
    found = {}
    for name in pod_names:
        ordinal = ordinal_of(name, statefulset_name)
        if ordinal is not None:
            found[ordinal] = name
    return dict(sorted(found.items()))


def start_of(statefulset):
    """The StatefulSet's first ordinal: ``spec.ordinals.start``, 0 when not set."""
    return (((statefulset or {}).get("spec") or {}).get("ordinals") or {}).get("start") or 0


def replicas_of(statefulset):
    """``spec.replicas``; the API server's default is 1."""
    replicas = ((statefulset or {}).get("spec") or {}).get("replicas")
    return 1 if replicas is None else replicas


def ordinal_range(start, replicas):
    """The ordinals of ``replicas`` pods from ``start``: ``start`` to ``start + replicas - 1``."""
    return range(start, start + max(replicas, 0))


def ordinals_of(statefulset, replicas=None):
    """The ordinals the StatefulSet's pods have with ``replicas`` (default ``spec.replicas``)."""
    return ordinal_range(start_of(statefulset), replicas_of(statefulset) if replicas is None else replicas)


def start_refusal(version, start, variable="spec.ordinals.start"):
    """Why the server cannot be given first ordinal ``start`` (a sentence with what to do), or ``""`` when it can.

    ``variable`` names the setting as the caller's user knows it (a role variable).
    """
    if not start or versions.has(version, START_SUPPORTED_FROM):
        return ""
    return ("%s: %d needs Kubernetes %d.%d or later (spec.ordinals.start), and this server is %s: its pods would "
            "start at ordinal 0. Nothing was changed: set %s to 0, or upgrade the cluster first."
            % (variable, start, START_SUPPORTED_FROM[0], START_SUPPORTED_FROM[1], versions.describe(version), variable))
