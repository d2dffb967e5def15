"""A role's templates rendered as the role renders them: its defaults and vars, then the test's values.

A plain Templar cannot load the collection's own filters, so the variables that call them
are given by the test, computed by the filters' Python functions (``computed``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar
from ansible.utils.collection_loader import AnsibleCollectionConfig

try:  # ansible-core >= 2.19 templates only trusted strings
    from ansible.template import trust_as_template
except ImportError:
    def trust_as_template(value):
        return value

if AnsibleCollectionConfig.collection_finder is None:
    # plain pytest (ansible-test sets it up): the collection loader, as ansible-playbook does
    init_plugin_loader([])

ROLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "roles")


def role_variables(role):
    """The role's defaults and vars, trusted as the role's own files are."""
    found = {}
    for path in ("defaults/main.yml", "vars/main.yml"):
        with open(os.path.join(ROLES, role, path)) as f:
            loaded = yaml.safe_load(f)
        found.update((k, trust_as_template(v) if isinstance(v, str) else v) for k, v in loaded.items())
    return found


def render(role, template, variables):
    """The documents of ``templates/<template>.yml.j2`` of ``role`` with ``variables``."""
    variables = dict(variables, ansible_search_path=[os.path.abspath(os.path.join(ROLES, role))])
    templar = Templar(loader=DataLoader(), variables=variables)
    text = templar.template(trust_as_template("{{ lookup('ansible.builtin.template', '%s.yml.j2') }}" % template))
    return list(yaml.safe_load_all(text))
