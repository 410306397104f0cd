"""The staff side through the test client."""
