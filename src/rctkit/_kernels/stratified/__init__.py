"""Kernels over stratified tables: the strata lie along the last axis of the count arrays."""
