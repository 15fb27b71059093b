"""Vectorised kernels: every method of rctkit, written once over arrays of tables.

A kernel takes four broadcast int64 arrays (treatment events, treatment total, control events,
control total) that have already been validated, and the confidence level, and returns float64
arrays. The scalar API, :mod:`rctkit.batch` and the bootstrap all call these functions, so no
method has a second implementation.
"""
