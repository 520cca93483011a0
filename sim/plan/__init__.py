"""Decision support: grid divisions and squad bases/zones proposed by optimisation, proven by simulation."""
