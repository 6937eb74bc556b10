"""Field feedback: what reps hear from customers, marketing's triage inbox and replies."""
