"""Supervision centre: sites, cameras, camera workers, leases and the ingestion API."""
