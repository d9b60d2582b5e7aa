"""Vigil's benchmarks: run side by side with peers where one exists, reported, never asserted."""
