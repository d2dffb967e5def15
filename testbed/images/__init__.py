"""Stand-ins for the behaviour of container images' entrypoints (see testbed/node/images.py)."""
