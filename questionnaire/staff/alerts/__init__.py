"""Email alerts through a transactional outbox."""
