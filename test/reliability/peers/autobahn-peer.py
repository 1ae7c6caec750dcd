#!/usr/bin/python3
"""An independent WebSocket peer for the Tidings reliability suite, built on python3-autobahn (asyncio).

Usage:
  autobahn-peer.py interop URL COUNT [deflate]
      Connect (the token is in URL), print {"event":"ready",...} after the hello frame, then collect COUNT
      notification frames and print {"event":"done","notifications":[{"seq","i"}...],"extensions":[...]}.
  autobahn-peer.py frames URL
      Read a JSON list of cases from stdin: [{"name", "frames": [{"opcode","payload_hex","fin","rsv",
      "masked"}]}]. For each case open a new connection, wait for hello, send the frames raw with
      WebSocketProtocol.sendFrame, and print {"event":"case","name","code","ms"}: the close code the
      server sent (null if none within 2 s) and the milliseconds from sending to receiving it.
Every line on stdout is one JSON object. Exit status 0 on success, 1 on any failure (reported as
{"event":"error","message"}).
"""
import asyncio
import json
import sys
import time
from urllib.parse import urlparse

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateResponse, PerMessageDeflateResponseAccept

TIMEOUT = 20.0


def emit(obj):
    print(json.dumps(obj), flush=True)


class Peer(WebSocketClientProtocol):
    def onConnecting(self, transport_details):
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.messages = asyncio.Queue()
        self.close_received_at = None
        return None

    def onOpen(self):
        if not self.opened.done():
            self.opened.set_result(True)

    def onMessage(self, payload, is_binary):
        self.messages.put_nowait(payload)

    def onCloseFrame(self, code, reasonRaw):
        if self.close_received_at is None:
            self.close_received_at = time.monotonic()
        return super().onCloseFrame(code, reasonRaw)

    def onClose(self, was_clean, code, reason):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"handshake failed: {reason}"))
        if not self.closed.done():
            self.closed.set_result(self.remoteCloseCode)


async def open_peer(url, deflate=False):
    loop = asyncio.get_running_loop()
    factory = WebSocketClientFactory(url)
    factory.protocol = Peer
    if deflate:
        def accept(response):
            if isinstance(response, PerMessageDeflateResponse):
                return PerMessageDeflateResponseAccept(response)
            return None
        factory.setProtocolOptions(perMessageCompressionOffers=[PerMessageDeflateOffer()], perMessageCompressionAccept=accept)
    u = urlparse(url)
    _, proto = await loop.create_connection(factory, u.hostname, u.port)
    await asyncio.wait_for(proto.opened, TIMEOUT)
    return proto


async def next_json(proto):
    return json.loads(await asyncio.wait_for(proto.messages.get(), TIMEOUT))


async def interop(url, count, deflate):
    proto = await open_peer(url, deflate)
    hello = await next_json(proto)
    if hello.get("type") != "hello":
        raise RuntimeError(f"first frame is not hello: {hello}")
    extensions = [e.EXTENSION_NAME for e in proto.websocket_extensions_in_use]
    emit({"event": "ready", "hello": hello, "extensions": extensions})
    got = []
    while len(got) < count:
        frame = await next_json(proto)
        if frame.get("type") == "notification":
            got.append({"seq": frame["seq"], "i": frame["data"].get("i")})
    proto.sendClose(1000)
    await asyncio.wait_for(proto.closed, TIMEOUT)
    emit({"event": "done", "notifications": got, "extensions": extensions})


async def run_case(url, case):
    proto = await open_peer(url)
    hello = await next_json(proto)
    if hello.get("type") != "hello":
        raise RuntimeError(f"first frame is not hello: {hello}")
    sent_at = time.monotonic()
    for f in case["frames"]:
        proto.maskClientFrames = f.get("masked", True)
        proto.sendFrame(f["opcode"], payload=bytes.fromhex(f.get("payload_hex", "")), fin=f.get("fin", True), rsv=f.get("rsv", 0))
    try:
        code = await asyncio.wait_for(asyncio.shield(proto.closed), 2.0)
    except asyncio.TimeoutError:
        code = None
    ms = None if proto.close_received_at is None else round((proto.close_received_at - sent_at) * 1000, 2)
    if proto.transport is not None:
        proto.transport.abort()
    emit({"event": "case", "name": case["name"], "code": code, "ms": ms})


async def frames(url):
    for case in json.load(sys.stdin):
        await run_case(url, case)


def main():
    mode = sys.argv[1]
    if mode == "interop":
        asyncio.run(interop(sys.argv[2], int(sys.argv[3]), len(sys.argv) > 4 and sys.argv[4] == "deflate"))
    elif mode == "frames":
        asyncio.run(frames(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # reported to the test, which fails with the message
        emit({"event": "error", "message": f"{type(err).__name__}: {err}"})
        sys.exit(1)
