"""`make bench`: performance measurements reported in the README (`python -m benchmarks <name>`)."""
