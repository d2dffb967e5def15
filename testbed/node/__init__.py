"""The node agent: three Nodes whose pods run as real processes in their own namespaces."""
