"""SA-AdjustNet training side (PyTorch): Nam & Kim, "Deep Semantics-Aware Photo Adjustment"."""
