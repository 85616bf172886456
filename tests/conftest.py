"""Root of the test suite. ``tests`` is a package: helpers are imported one way, ``from tests.<module> import``
(``tests.reference_cases`` loads lavaan cases and joins their rows to ours; ``tests.cli_runner`` runs the
command line in-process; each folder may have its own ``*_helpers`` module)."""
