"""The brigade of school-safety mediators: requests, situations, prevention, indicators."""
