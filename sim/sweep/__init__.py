"""Experiments over many scenarios: designs, parallel runs, a crash-safe results store, analysis.

An experiment file names a base scenario and the factors to vary; every design point is a
scenario with those overrides, run ``replications`` times with seeds ``base_seed + k`` so
that design points share common random numbers.
"""
