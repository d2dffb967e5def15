# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API server's release, as its ``/version`` reply gives it, and what a field needs of it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def server_release(version):
    """``(major, minor)`` of a ``/version`` reply (``{"major": "1", "minor": "37+"}``); None when unreadable."""
    try:
        return tuple(int("".join(c for c in str((version or {})[key]) if c.isdigit())) for key in ("major", "minor"))
    except (KeyError, TypeError, ValueError):
        return None


def describe(version):
    """``1.20``, or what was seen when the reply cannot be read."""
    release = server_release(version)
    return "%d.%d" % release if release else "of unknown version (%r)" % (version,)


def has(version, release):
    """Whether the server is ``release`` (``(1, 27)``) or later; False when its version cannot be read."""
    found = server_release(version)
    return found is not None and found >= tuple(release)
