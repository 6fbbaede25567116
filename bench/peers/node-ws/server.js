'use strict';
// Benchmark peer: a broadcast chat server on Node's `ws` package, as most
// Node chat servers are written: every text frame a client sends is sent, as
// it came, to every open client (the sender included). No queue bound of its
// own: ws buffers without limit for a slow reader.
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const port = Number(arg('port', '8080'));
const host = arg('host', '127.0.0.1');

const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 65536, perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: false });
    }
  });
});

server.listen(port, host, () => {
  process.stdout.write(`ready port=${server.address().port}\n`);
});
