"""Tests of semxhs (a package, so helpers are imported one way: ``from tests.… import …``)."""
