"""Cassettes: record one test's HTTP with vcrpy (JSON, one file per test) and replay it offline.

- `files`: the cassette file (vcrpy's format, pickconform's additions, atomic writes, what it was recorded with);
- `filters`: what a recorded interaction keeps (redacted, at a canonical origin);
- `recorder`: the session's `Recorder`, the tap every client's transport goes through (`pickconform.http.tap`);
- `playback`: indexed lookups, cassette misses explained, no connection during a replay.
"""

from __future__ import annotations

from pickconform.cassettes.files import METADATA_KEY, Metadata, cassette_path, recorded_run, write_atomically
from pickconform.cassettes.filters import PLACEHOLDER_ORIGIN, Filters, canonical_uri
from pickconform.cassettes.playback import (
    CassetteMiss,
    NetworkBlocked,
    StaleCassette,
    describe_miss,
    find_miss,
    index_playback,
    network_blocked,
)
from pickconform.cassettes.recorder import MATCH_ON, Recorder, Recording

__all__ = [
    "MATCH_ON",
    "METADATA_KEY",
    "PLACEHOLDER_ORIGIN",
    "CassetteMiss",
    "Filters",
    "Metadata",
    "NetworkBlocked",
    "Recorder",
    "Recording",
    "StaleCassette",
    "canonical_uri",
    "cassette_path",
    "describe_miss",
    "find_miss",
    "index_playback",
    "network_blocked",
    "recorded_run",
    "write_atomically",
]
