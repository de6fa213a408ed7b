"""Reading a graph event's run id and seq off its text without parsing all of it (1 000 sockets' worth)."""

from __future__ import annotations

SEQ = '"data":{"seq":'
RUN_ID = '"id":"'


def run_and_seq(text: str) -> tuple[str, int] | None:
    start = text.find(SEQ)
    if start < 0:
        return None
    start += len(SEQ)
    end = text.index(",", start)
    run_at = text.index(RUN_ID, end) + len(RUN_ID)
    return text[run_at : run_at + 36], int(text[start:end])
