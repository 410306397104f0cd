"""The CSV export: its page, its columns and codebook."""
