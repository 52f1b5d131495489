"""Demo data: the 33 Quảng Ninh sites (facts from the research CSV, texts written by us)."""
