"""Benchmark: a module call with nothing to do vs kubernetes.core.k8s_info on the same object."""
