"""Scans and their counts. No IP address, user agent or cookie id is stored; a scan's visitor key
(visitors.py) tells one day's visitors of one site apart and links to no one once its day is over."""
