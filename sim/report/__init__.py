"""One self-contained, print-friendly HTML report of a run, compare or sweep folder."""
