"""A client of the three services over HTTP: used by the `iae` command, the demo and load tests."""
