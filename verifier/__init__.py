"""ESSPASS verifier service."""
