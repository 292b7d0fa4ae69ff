"""Tests of :mod:`oncoboard.store`."""
