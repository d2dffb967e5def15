from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import pytest

# Objects as a real API server returned them, shared by the tests of every domain.
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "k8s", "fixtures")


@pytest.fixture
def load():
    """``load("pod_ready")``: a fresh copy of an object as the API server returned it (fixtures/*.json)."""

    def read(name):
        with open(os.path.join(FIXTURES, name + ".json")) as handle:
            return copy.deepcopy(json.load(handle))

    return read
