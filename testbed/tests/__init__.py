"""Tests of the test bed itself: they run pods on it and check what a user would check."""
