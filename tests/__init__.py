"""The test suite: one folder for each side of the app, helpers in tests/helpers."""
