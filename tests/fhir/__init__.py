"""The FHIR API and bulk export."""
