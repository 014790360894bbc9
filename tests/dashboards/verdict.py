"""The end of a check script: every failure, a summary of what was checked, and the line the
CTest wrappers read."""


def verdict(failures, summary):
    """Prints each failure, then `summary`, then `1 passed, 0 failed` (or `0 passed, 1 failed`);
    returns the exit status."""
    for f in failures:
        print(f"FAIL {f}")
    print(summary)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0
