"""Shared test helpers (not tests): smoke workdirs, PNG checks, Chomsky cases, small configs."""
