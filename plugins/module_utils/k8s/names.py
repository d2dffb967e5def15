# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which names the API server accepts, checked before a module reads or changes anything.

One rule per kind of name, as the API server validates it: a namespace (and a volume
name, such as a volumeClaimTemplate's) is a DNS-1123 label; most object names
(StatefulSet, Deployment, ServiceAccount, Secret, StorageClass, PersistentVolume, RBAC
objects) are DNS-1123 subdomains.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

LABEL = "label"
SUBDOMAIN = "subdomain"

# The rule of each kind of name a module takes as an option.
RULES = {
    "Namespace": LABEL,
    "volumeClaimTemplate": LABEL,
    "container": LABEL,
    "StatefulSet": SUBDOMAIN,
    "Deployment": SUBDOMAIN,
    "ServiceAccount": SUBDOMAIN,
    "Secret": SUBDOMAIN,
    "StorageClass": SUBDOMAIN,
    "PersistentVolume": SUBDOMAIN,
}


# What each rule allows: its pattern, its longest name, and how a message describes it.
_RULES = {
    LABEL: (_LABEL, 63, "label (at most 63 lower case letters, digits and '-', starting and ending with a letter or "
                        "digit)"),
    SUBDOMAIN: (_SUBDOMAIN, 253, "subdomain (lower case letters, digits, '-' and '.', starting and ending with a "
                                 "letter or digit)"),
}


def _problem(rule, what, value):
    """A message when ``value`` breaks ``rule``, else None (None itself is not checked)."""
    pattern, longest, description = _RULES[rule]
    if value is None or (len(value) <= longest and pattern.match(value)):
        return None
    return "%s %r is not a valid DNS-1123 %s" % (what, value, description)


def label_problem(what, value):
    """A message when ``value`` is not a DNS-1123 label, else None."""
    return _problem(LABEL, what, value)


def subdomain_problem(what, value):
    """A message when ``value`` is not a DNS-1123 subdomain, else None."""
    return _problem(SUBDOMAIN, what, value)


def name_problem(kind, what, value):
    """A message when ``value``, the name of a ``kind`` (a key of RULES) given as option ``what``, is refused."""
    return _problem(RULES[kind], what, value)


def name_problems(checks):
    """The messages for ``[(kind, option, value), ...]``, in that order; empty when every name is fine."""
    problems = [name_problem(kind, what, value) for kind, what, value in checks]
    return [problem for problem in problems if problem]
