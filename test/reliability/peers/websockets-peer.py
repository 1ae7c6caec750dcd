#!/usr/bin/python3
"""An independent WebSocket peer for the Tidings reliability suite, built on python3-websockets.

Usage: websockets-peer.py URL COUNT [deflate]
  Connect (the token is in URL; permessage-deflate is offered only with "deflate"), print
  {"event":"ready","hello",...} after the hello frame, collect COUNT notification frames, close with 1000
  and print {"event":"done","notifications":[{"seq","i"}...],"extensions":[...]}.
Every line on stdout is one JSON object; exit status 1 with {"event":"error","message"} on failure.
"""
import asyncio
import json
import sys

import websockets

TIMEOUT = 20.0


def emit(obj):
    print(json.dumps(obj), flush=True)


async def main(url, count, deflate):
    compression = "deflate" if deflate else None
    async with websockets.connect(url, compression=compression, open_timeout=TIMEOUT, max_size=2**20) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if hello.get("type") != "hello":
            raise RuntimeError(f"first frame is not hello: {hello}")
        extensions = [e.name for e in ws.extensions]
        emit({"event": "ready", "hello": hello, "extensions": extensions})
        got = []
        while len(got) < count:
            frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            if frame.get("type") == "notification":
                got.append({"seq": frame["seq"], "i": frame["data"].get("i")})
        await ws.close(1000)
    emit({"event": "done", "notifications": got, "extensions": extensions})


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], int(sys.argv[2]), len(sys.argv) > 3 and sys.argv[3] == "deflate"))
    except Exception as err:  # reported to the test, which fails with the message
        emit({"event": "error", "message": f"{type(err).__name__}: {err}"})
        sys.exit(1)
