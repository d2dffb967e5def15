"""Control plane: certificates, the bridge, etcd and the three Kubernetes servers."""
