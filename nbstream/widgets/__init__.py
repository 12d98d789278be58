"""Live notebook views of a run. This release has only the offline graph drawing."""
