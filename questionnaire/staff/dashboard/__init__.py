"""The dashboard: its figures, aggregated in SQL, and its charts."""
