"""The aid teleservice: the règlement as dated data, its computation and the simulation."""
