"""The rules alone: answers in, screening out, no web and no database."""
