"""Dedup benchmark: labelled re-posts and look-alikes from the real corpus (see __main__)."""
