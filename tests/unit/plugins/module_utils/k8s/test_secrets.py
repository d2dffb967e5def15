from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.secrets import (
    secret_value,
    secret_values,
    write_secret_value,
)


def test_the_password_comes_decoded_from_its_secret_key(fakes):
    secret = {"data": {"password": base64.b64encode(b"s3cret").decode()}}
    clients = fakes.Clients(core=fakes.Api(read_namespaced_secret=lambda name, namespace, **query: secret))
    assert secret_value(clients, "data", "redis-password", "password") == "s3cret"
    with pytest.raises(ValueError) as failed:
        secret_value(clients, "data", "redis-password", "pass")
    assert str(failed.value) == "Secret data/redis-password has no key 'pass' (keys: password)"


def test_all_values_come_decoded_and_an_unreadable_secret_says_which(fakes):
    from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException

    secret = {"data": {"user": base64.b64encode(b"root").decode(), "password": base64.b64encode(b"pw").decode()}}
    clients = fakes.Clients(core=fakes.Api(read_namespaced_secret=lambda name, namespace, **query: secret))
    assert secret_values(clients, "db", "mysql") == {"user": "root", "password": "pw"}

    def missing(name, namespace, **query):
        raise ApiException(status=404, reason="Not Found")

    clients = fakes.Clients(core=fakes.Api(read_namespaced_secret=missing))
    with pytest.raises(ValueError) as failed:
        secret_values(clients, "db", "mysql")
    assert str(failed.value) == "cannot read Secret db/mysql: Not Found"


def test_writing_one_value_patches_only_its_key(fakes):
    core = fakes.Api(patch_namespaced_secret=lambda name, namespace, body, **query: body)
    write_secret_value(fakes.Clients(core=core), "data", "redis-password", "password", "new")
    assert core.calls[0][1][:3] == ("redis-password", "data", {"data": {"password": base64.b64encode(b"new").decode()}})
