"""The runner: super-steps (``loop``), the sync and async drivers, and compiled graphs."""
