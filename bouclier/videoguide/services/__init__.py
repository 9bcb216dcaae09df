"""Pure, typed computations of the guide, and its state-changing services."""
