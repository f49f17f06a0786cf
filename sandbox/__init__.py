"""Local simulators of the vendor APIs the taps read, for tests, benchmarks and demos."""
