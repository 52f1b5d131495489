"""Trails: ordered routes of sites made by editors, with texts per language."""
