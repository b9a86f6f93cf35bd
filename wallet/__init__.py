"""ESSPASS wallet service."""
