"""Clinicians: the submissions list and its filters, one submission in full, and re-screening
stored answers under the current rules.
"""
