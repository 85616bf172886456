"""Root of the test suite: its presence puts tests/ on sys.path, so every test folder can import
the shared helpers of ``reference_cases`` (loading lavaan cases, joining their rows to ours)."""
