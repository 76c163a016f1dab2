"""Onboarding with no configuration, measured: lists, dates, titles and bodies read from real
pages (tests/collectors/real, labelled by hand) and from every sample-province template, with no
selectors. ``python -m bench.onboarding``; ``python -m bench.onboarding fetch`` brings the pages."""
