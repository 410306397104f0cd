"""The public side: the check one step at a time, drafts, resume codes, submitting, and the
words a patient reads.
"""
