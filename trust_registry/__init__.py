"""ESSPASS trust_registry service."""
