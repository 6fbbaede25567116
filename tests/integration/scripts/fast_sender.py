#!/usr/bin/env python3
"""A script as people write them with python `websockets` (issue 25): one task sends N
messages as fast as the connection takes them while another reads every answer. Prints
`acks=A messages=M close=C` and exits 0 when every send was acknowledged without a close."""
import asyncio
import json
import sys

import websockets


async def main(port: int, total: int) -> int:
    acks = 0
    messages = 0
    close = 0
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:

        async def writer():
            for i in range(total):
                await ws.send(json.dumps({"type": "send", "id": f"py{i}", "username": "script",
                                          "message": f"message {i} " + "p" * 200}))

        async def reader():
            nonlocal acks, messages
            async for frame in ws:
                for line in frame.split("\n"):
                    kind = json.loads(line).get("type")
                    if kind == "ack":
                        acks += 1
                    elif kind == "message":
                        messages += 1
                if acks >= total:
                    return

        try:
            await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=120)
        except websockets.ConnectionClosed as e:
            close = e.code
        except asyncio.TimeoutError:
            close = -1
    print(f"acks={acks} messages={messages} close={close}")
    return 0 if acks == total and close == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]))))
