"""One LISTEN channel of a `ChannelWakeup`, as the `Wakeup` port a worker loop sleeps on."""

from dataclasses import dataclass

from call_service.adapters.postgres.notifications import ChannelWakeup


@dataclass(frozen=True)
class ChannelSignal:
    wakeup: ChannelWakeup
    channel: str

    async def wait(self) -> None:
        await self.wakeup.wait(self.channel)

    def poke(self) -> None:
        self.wakeup.poke(self.channel)
