"""The camera worker, outside Django: ingestion, recording, detection, rules.

It never imports Django or the platform's code; it talks to the supervision context only
through the platform's HTTP API, so that it can run on machines near the cameras.
"""
