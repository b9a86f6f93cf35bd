"""ESSPASS credential core: pure, transport-free implementations of the standards.

One module per concept or spec (``sd_jwt`` for RFC 9901, ``status_list`` for the Token Status
List draft, ``x509`` ...). Nothing here does network or database I/O; callers pass in tokens,
keys, trust material and the current time. See docs/ARCHITECTURE.md for the public surface.
"""
