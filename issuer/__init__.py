"""ESSPASS issuer service."""
