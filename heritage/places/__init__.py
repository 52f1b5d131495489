"""Place names (province, district, commune, border gate) in every language, from data."""
