"""FHIR R4: the question bank, submissions and their screening as FHIR resources, served
read-only at /fhir to systems holding an API token, and written in bulk as NDJSON."""
