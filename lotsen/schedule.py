"""A weekly schedule such as "mon 08:00" in a time zone (DIGEST_SCHEDULE, DIGEST_TIMEZONE)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lotsen.text import fold

DAYS: dict[str, int] = {}
for number, names in enumerate(
    (
        ("mon", "monday", "man", "mandag"),
        ("tue", "tuesday", "tis", "tisdag"),
        ("wed", "wednesday", "ons", "onsdag"),
        ("thu", "thursday", "tor", "tors", "torsdag"),
        ("fri", "friday", "fre", "fredag"),
        ("sat", "saturday", "lor", "lordag"),
        ("sun", "sunday", "son", "sondag"),
    )
):
    for name in names:
        DAYS[name] = number

OFF = ("off", "av", "none", "ingen")
_PATTERN = re.compile(r"^([a-z]+)\s+(\d{1,2})[:.](\d{2})$")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class WeeklySchedule:
    weekday: int  # Monday = 0
    at: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, timezone: str) -> "WeeklySchedule | None":
        """ "mon 08:00" (English or Swedish day, 24-hour clock); "off" gives None."""
        try:
            zone = ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleError(f"unknown time zone {timezone!r} (use e.g. Europe/Stockholm)") from exc
        raw = fold(text.strip())
        if raw in OFF:
            return None
        match = _PATTERN.match(raw)
        if not match or match.group(1) not in DAYS:
            raise ScheduleError(f'{text!r} is not a weekly time like "mon 08:00" (or "off")')
        hour, minute = int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ScheduleError(f"{text!r}: the time must be between 00:00 and 23:59")
        return cls(DAYS[match.group(1)], time(hour, minute), zone)

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled moment strictly after `moment` (an aware datetime), aware, in the zone."""
        local = moment.astimezone(self.zone)
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        for _ in range(3):
            candidate = datetime.combine(day, self.at, tzinfo=self.zone)
            if candidate > local:
                return candidate
            day += timedelta(days=7)
        raise AssertionError("unreachable")

    def previous(self, moment: datetime) -> datetime:
        """The last scheduled moment at or before `moment`."""
        return self.next_after(moment) - timedelta(days=7)
