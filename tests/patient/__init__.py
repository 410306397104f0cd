"""The patient's side through the test client."""
