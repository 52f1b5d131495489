"""Running in production: readiness, request logs and Prometheus metrics. Nothing here serves visitors."""
