"""Filing writes the case row as one insert of the complete row (with its routing decision) in the
filing transaction, and one update after the commit with what the first delivery attempt saw and
the receipt's lines (the delivery is network I/O, kept out of the transaction). When the channel
post is delivered, the outbox's delivery hook also records it on the case (as it does when the
worker delivers it later). Stored results are those of the contract tests; this pins the writes."""

from __future__ import annotations

import pytest

from bot.app_factory import SERVICES
from tests.support.reports import CHANNEL_ID, file_deviation, in_channel


@pytest.mark.parametrize("connected", [True, False])
async def test_filing_inserts_the_row_once_and_updates_it_once(teams_small, monkeypatch, connected):
    repository = teams_small.app[SERVICES].store.cases
    calls: list[str] = []
    for name in ("set_routing", "change_status"):  # after the commit (the insert is the unit's)
        original = getattr(repository, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(repository, name, counted)
    if connected:
        assert "Klart!" in (await in_channel(teams_small, "koppla kanal avvikelser Vetlanda")).all_text()
    replies = await file_deviation(teams_small)
    assert "AVV-2026-0001" in replies.all_text()
    assert calls == (["set_routing", "set_routing"] if connected else ["set_routing"])  # hook, then the filing
    case = await teams_small.app[SERVICES].store.cases.get("AVV-2026-0001")
    assert case is not None and case.routed_to["lines"] and case.routed_to["purpose"] == "avvikelse"
    if connected:
        assert case.routed_to["channel"] and case.channel_activity_id
        assert [c for c in replies if c.method == "send" and c.conversation == CHANNEL_ID]
    else:
        assert "channel" not in case.routed_to and case.channel_ref is None and case.channel_activity_id == ""
