# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one shape of every module of this collection.

A module's ``main()`` builds the module from its argument spec (with its declarative
constraints: ``required_if``, ``mutually_exclusive``...) and calls ``run``, which:

1. checks the options with the domain's pure ``check_options`` (a list of problems)
   before anything is read;
2. calls the domain's runner, ``runner(clients, params, check_mode)``, which observes,
   classifies, plans, applies (unless ``check_mode``) and returns the result dict;
3. turns a ``ModuleFailure`` (or a client that cannot be built) into ``fail_json``, and a
   result into ``exit_json``; ``diff`` is returned in diff mode only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ClientError, Clients
from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure


def finishing():
    """Let the process end quickly once the answer is known.

    The interpreter's final garbage collection walks every object the kubernetes client
    loaded (some 0.2 s, longer than the rest of a no-op run); frozen objects are skipped.
    Nothing is lost: the process is about to end.
    """
    if hasattr(gc, "freeze"):
        gc.freeze()


def run(module, runner, check_options=None):
    """Run ``runner`` for ``module`` and exit with its result or its failure (never returns)."""
    try:
        problems = check_options(module.params) if check_options else []
        if problems:
            raise ModuleFailure("; ".join(problems))
        result = runner(Clients(module), module.params, module.check_mode)
    except ClientError as e:
        failure = ModuleFailure(str(e))
    except ModuleFailure as e:
        failure = e
    else:
        failure = None
    finishing()
    if failure is not None:
        result = failure.result()
    if not module._diff:
        result.pop("diff", None)
    if failure is not None:
        module.fail_json(**result)
    module.exit_json(**result)
