# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error a module fails with: what happened, what to do, the facts, and whether anything changed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleFailure(Exception):
    """Raised by a domain's runner; ``runner.run`` turns it into ``fail_json``.

    ``msg`` says which object, what was expected and what was seen; ``advice`` what to do
    next (appended as ``msg; advice``); ``facts`` go into the result as they are (the same
    keys as a success returns, plus the failure's own); ``changed`` is true when the run
    changed something before it failed.
    """

    def __init__(self, msg, advice=None, changed=False, **facts):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.advice = advice
        self.changed = changed
        self.facts = facts

    def result(self):
        """The keyword arguments of ``fail_json``."""
        result = dict(self.facts)
        result["changed"] = self.changed
        result["msg"] = "%s; %s" % (self.msg, self.advice) if self.advice else self.msg
        return result
