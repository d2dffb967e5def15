# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module tests use ansible.module_utils.testing.patch_module_args (ansible-core 2.19
on). meta/runtime.yml claims 2.16 on, where it does not exist: give them the same context
manager there, built on how AnsibleModule read its arguments before 2.19."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import sys
import types

try:
    from ansible.module_utils import testing  # noqa: F401  pylint: disable=unused-import
except ImportError:
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        args = dict(args or {})
        args.setdefault("_ansible_remote_tmp", "/tmp")
        args.setdefault("_ansible_keep_remote_files", False)
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

    backport = types.ModuleType("ansible.module_utils.testing")
    backport.patch_module_args = patch_module_args
    sys.modules["ansible.module_utils.testing"] = backport
