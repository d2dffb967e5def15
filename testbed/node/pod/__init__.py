"""The steps of a pod's life (testbed/README.md), one module each, composed by PodWorker."""
