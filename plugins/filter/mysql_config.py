# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mysql role's ConfigMap data, from the same pure function the unit tests check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.stateful.kube.plugins.module_utils.mysql import config


def mysql_config_files(flavor, version, ordinals, offset=config.DEFAULT_SERVER_ID_OFFSET, extra=None):
    try:
        return config.files(flavor, str(version), [int(o) for o in ordinals], offset=int(offset), extra=extra)
    except config.ConfigError as e:
        raise AnsibleFilterError("mysql role: %s" % e) from e


class FilterModule(object):
    def filters(self):
        return {"mysql_config_files": mysql_config_files}
