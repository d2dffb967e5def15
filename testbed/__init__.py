"""The local test bed: a real Kubernetes control plane and a node agent that runs pods as processes.

``python -m testbed up`` / ``down`` / ``status``; ``make testbed-up`` calls the first.
Every address, port and path the test bed uses is in :mod:`testbed.config`.
"""
