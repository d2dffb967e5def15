"""Benchmarks: each compares one of our modules with the peer tool, in the same run."""
