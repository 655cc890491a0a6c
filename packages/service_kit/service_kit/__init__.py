"""Process plumbing both services share: logging, API keys, probes, metrics."""
