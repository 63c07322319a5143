"""What every API family implements and builds on, below the families themselves (see `pickconform.registry` for the
descriptor each family exports): the protocols of its target (`target`) and of its reference implementation
(`reference`), the parsing of its profile table (`profile`), the preflight of its target (`preflight`) and the ready
test data a profile names (`ready_data`)."""

__all__ = ["preflight", "profile", "ready_data", "reference", "target"]
