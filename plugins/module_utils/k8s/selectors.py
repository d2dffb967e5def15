# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Label selectors as objects carry them (``spec.selector``) turned into the query string of list and watch calls."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_SET_OPERATORS = {"In": "in", "NotIn": "notin"}


def selector_string(selector, owner="object"):
    """``matchLabels`` and ``matchExpressions`` of ``selector`` as ``a=b,zone in (x,y),!canary``.

    ``owner`` names the object in the error an unknown operator raises.
    """
    selector = selector or {}
    parts = ["%s=%s" % item for item in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator in _SET_OPERATORS:
            parts.append("%s %s (%s)" % (key, _SET_OPERATORS[operator], ",".join(values)))
        elif operator == "Exists":
            parts.append(key)
        elif operator == "DoesNotExist":
            parts.append("!" + key)
        else:
            raise ValueError("unknown selector operator %r in %s" % (operator, owner))
    return ",".join(parts)


def selector_of(obj):
    """The ``spec.selector`` of a StatefulSet, Deployment, ReplicaSet... as a selector string."""
    return selector_string((obj.get("spec") or {}).get("selector"), "%s %s" % (
        obj.get("kind") or "object", (obj.get("metadata") or {}).get("name")))
