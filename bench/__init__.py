"""Benchmark harness: the raw limits of the machine and the system, in one run (`make bench`)."""
