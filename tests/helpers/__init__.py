"""What the tests share: clients for each persona, live servers, answer sets."""
