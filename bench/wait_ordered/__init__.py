"""Benchmark of statefulset_wait_ordered against kubernetes.core.k8s ``wait: true`` on the test bed."""
