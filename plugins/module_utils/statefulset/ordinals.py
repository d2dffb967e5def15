# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that knows how a StatefulSet names its pods and claims.

A StatefulSet's pod is ``<statefulset>-<ordinal>`` and its claims are
``<template>-<statefulset>-<ordinal>``. Sorting pod names as strings puts ``x-10``
before ``x-2``; everything in this collection orders pods through these functions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


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
