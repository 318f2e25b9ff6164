#!/usr/bin/python3
# A WebSocket server for check_websocket_available's tests, on Python's websockets (Debian's
# python3-websockets). Listens on HOST, port 0, and writes the port it got into PORT_FILE.
#   ws_server.py HOST PORT_FILE MODE [--tls CERT KEY] [--auth USER:PASSWORD]
# MODE: echo (each message back, same frame type), greet (b'RFB 003.008\n' in a binary frame
# as soon as connected, as websockify relays a VNC server), text (the greeting as text), ping
# (a ping first, then echo), fragmented (the greeting in three fragments), close (closes with
# 1008 at once), big (a 2 MiB message), silent (never sends anything).
import asyncio
import os
import ssl
import sys

import websockets

GREETING = b'RFB 003.008\n'


async def handler(websocket, path=None):
    mode = MODE
    if mode == 'greet':
        await websocket.send(GREETING)
    elif mode == 'text':
        await websocket.send(GREETING.decode())
    elif mode == 'fragmented':
        await websocket.send([b'RFB ', b'003.', b'008\n'])
    elif mode == 'close':
        await websocket.close(code=1008, reason='policy')
        return
    elif mode == 'big':
        await websocket.send(b'x' * (2 << 20))
    elif mode == 'ping':
        await websocket.ping(b'hello')
    if mode == 'silent':
        await asyncio.sleep(3600)
    async for message in websocket:
        if mode in ('echo', 'ping'):
            await websocket.send(message)


async def main():
    global MODE
    host, port_file, MODE = sys.argv[1:4]
    options = sys.argv[4:]
    kwargs = {'max_size': None, 'ping_interval': None}
    if '--tls' in options:
        at = options.index('--tls')
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options[at + 1], options[at + 2])
        kwargs['ssl'] = context
    if '--auth' in options:
        user, password = options[options.index('--auth') + 1].split(':', 1)
        kwargs['create_protocol'] = websockets.basic_auth_protocol_factory(
            realm='test', credentials=(user, password))
    async with websockets.serve(handler, host, 0, **kwargs) as server:
        port = server.sockets[0].getsockname()[1]
        with open(port_file + '.tmp', 'w') as out:
            out.write(str(port))
        os.rename(port_file + '.tmp', port_file)
        await asyncio.Future()


asyncio.run(main())
