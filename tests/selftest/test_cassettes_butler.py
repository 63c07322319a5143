"""Butler cassettes: the notifications the target POSTs to the suite are recorded in the cassette of the test they
arrived in, at their place among its outbound requests, and replayed there; the callback URL carries no port."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pickconform.http.tap import RECEIVER_ORIGIN
from tests.selftest.conftest import Run, pickconform

# A retried (500-refused) notification, cancel with its order_modification outcome, and creation with its stream.
REQUIREMENTS = ("BUTLER-NOTIFY-RETRY", "BUTLER-CANCEL-BEFORE-LOCK", "BUTLER-FULFILLABLE")
SELECTION = ["--api", "butler", *(arg for r in REQUIREMENTS for arg in ("--requirement", r))]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    base = tmp_path_factory.mktemp("butler")
    run = pickconform("run", *SELECTION, "--record", str(base / "cassettes"), report_dir=base / "out")
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return base, run


def _documents(directory: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def test_notifications_are_recorded_as_inbound_requests_with_their_place(recorded: tuple[Path, Run]) -> None:
    base, _ = recorded
    documents = _documents(base / "cassettes")
    inbound = [(name, item) for name, document in documents.items() for item in document.get("inbound", [])]
    assert inbound, "no notification was recorded"
    for name, item in inbound:
        notification = json.loads(item["body"])
        assert notification["notification_type"] in {"order_information", "order_modification", "bin_complete"}
        assert 0 <= item["after"] <= len(documents[name]["interactions"]), name
    retried = next(document for name, document in documents.items() if "refused_with_500" in name)
    ids = [json.loads(item["body"])["notification_id"] for item in retried["inbound"]]
    assert len(ids) > len(set(ids)), "the refused notification and its redelivery are both recorded"
    for name, document in documents.items():
        for interaction in document["interactions"]:
            # The reference's deliveries to the receiver are inbound, not the test's outbound interactions.
            assert not interaction["request"]["uri"].endswith("/notifications"), name


def test_the_callback_url_is_canonical(recorded: tuple[Path, Run]) -> None:
    base, _ = recorded
    registrations = [
        json.loads(interaction["request"]["body"])
        for document in _documents(base / "cassettes").values()
        for interaction in document["interactions"]
        if interaction["request"]["uri"].endswith("/control/callback")
    ]
    assert registrations and all(r == {"url": f"{RECEIVER_ORIGIN}/notifications"} for r in registrations)
    for path in (base / "cassettes").glob("*.json"):
        assert "127.0.0.1" not in path.read_text(), path.name


def test_replay_feeds_the_recorded_notifications_offline(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    base, live = recorded
    replay = pickconform("run", *SELECTION, "--replay", str(base / "cassettes"), report_dir=tmp_path)
    assert replay.status == 0, replay.stdout[-3000:]
    assert replay.statuses() == live.statuses()
    assert {replay.verdict(r) for r in REQUIREMENTS} == {"pass"}


def test_replay_without_the_notifications_fails_on_them(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    """The notifications in the cassette are what the replay judges: without them, the same scenarios fail, and
    none passes."""
    base, _ = recorded
    stripped = tmp_path / "cassettes"
    stripped.mkdir()
    for name, document in _documents(base / "cassettes").items():
        document.pop("inbound", None)
        (stripped / name).write_text(json.dumps(document))
    replay = pickconform("run", *SELECTION, "--replay", str(stripped), report_dir=tmp_path / "out")
    assert replay.status == 1, replay.stdout[-3000:]
    assert replay.verdict("BUTLER-FULFILLABLE") == "fail"  # its stream, judged from the cassette, is empty
    assert "no order_information notification" in replay.stdout
    # With no notification to refuse, the retry cannot be judged: the suite could not do its part (error), not a pass.
    assert replay.verdict("BUTLER-NOTIFY-RETRY") == "error"
    assert "no notification about the pick request arrived to be refused" in replay.stdout
    assert "pass" not in {replay.verdict(r) for r in REQUIREMENTS}


def test_a_cassette_recorded_against_a_mutant_replays_to_the_same_failure(tmp_path: Path) -> None:
    """butler-no-order-modification: a cancel is answered, but its order_modification never arrives. The replay
    waits for it until the recording stopped waiting, among the recorded notifications, and fails the same way."""
    selection = ["--api", "butler", "--requirement", "BUTLER-ASYNC-OUTCOME", "--", "-k", "test_cancel_succeeds"]
    live = pickconform(
        "run", "--mutant", "butler-no-order-modification", "--record", str(tmp_path / "c"), *selection,
        report_dir=tmp_path / "a",
    )  # fmt: skip
    assert live.status == 1 and live.verdict("BUTLER-ASYNC-OUTCOME") == "fail", live.stdout[-3000:]
    inbound = [item for document in _documents(tmp_path / "c").values() for item in document.get("inbound", [])]
    assert inbound, "no notification was recorded: the replay would judge nothing it received"
    replay = pickconform("run", "--replay", str(tmp_path / "c"), *selection, report_dir=tmp_path / "b")
    assert replay.status == 1, replay.stdout[-3000:]
    assert replay.statuses() == live.statuses()
    assert "no order_modification notification about pick request" in replay.stdout
    reasons = [{r["id"]: r["reason"] for r in run.report["requirements"]} for run in (live, replay) if run.report]
    assert reasons[0] == reasons[1]  # the same pick request, the same stream
