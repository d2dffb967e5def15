# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The labels every object this collection creates carries.

``app.kubernetes.io/managed-by`` is the recommended label that tells a person (and
``kubectl get -l``) which tool made an object; each domain adds its own owner label, which
is how it knows what it may change or delete.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "stateful.kube"


def owned_labels(extra=None):
    """The labels of an object we create: managed-by, then ``extra`` (a domain's own labels)."""
    labels = {MANAGED_BY_LABEL: MANAGED_BY}
    labels.update(extra or {})
    return labels


def is_owned(obj, label, value):
    """Whether ``obj`` carries ``label=value``: the owner label a domain put on what it made."""
    return (((obj or {}).get("metadata") or {}).get("labels") or {}).get(label) == value
