"""Operations: liveness (/healthz) and readiness (/readyz) for load balancers and
orchestrators, and the metrics (/metrics) a Prometheus server scrapes."""
