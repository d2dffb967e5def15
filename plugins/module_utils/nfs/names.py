# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which names Kubernetes accepts, checked before anything is changed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# RFC 1123 label: namespaces, ServiceAccounts and most namespaced names' safest form.
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# RFC 1123 subdomain: StorageClasses, PVs, Deployments, RBAC objects.
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def label_problem(what, value):
    """A message when ``value`` is not a DNS-1123 label, else None."""
    if value is None:
        return None
    if len(value) > 63 or not _LABEL.match(value):
        return ("%s %r is not a valid DNS-1123 label (at most 63 lower case letters, digits and '-', "
                "starting and ending with a letter or digit)" % (what, value))
    return None


def subdomain_problem(what, value):
    """A message when ``value`` is not a DNS-1123 subdomain, else None."""
    if value is None:
        return None
    if len(value) > 253 or not _SUBDOMAIN.match(value):
        return ("%s %r is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', "
                "starting and ending with a letter or digit)" % (what, value))
    return None
