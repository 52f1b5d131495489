"""Scans and their counts. No personal data: no IP address, no user agent, no cookie id."""
