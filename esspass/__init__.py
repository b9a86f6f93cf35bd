"""The ``esspass`` command and the kit shared by the four services."""
