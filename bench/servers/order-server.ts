/**
 * A minimal keep-alive loopback HTTP server answering the Binance USDⓈ-M calls the order path
 * makes: exchangeInfo, time, and POST/DELETE /fapi/v1/order with Binance's documented order
 * JSON (tests/fixtures/binance), echoing the client order id, with rate-limit headers. It does
 * nothing else, so the round trip it gives is the floor of a REST order.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT, tell } from '../lib/proc.ts';

const fixtures = join(REPO_ROOT, 'tests', 'fixtures', 'binance');
const exchangeInfo = readFileSync(join(fixtures, 'exchange-info.json'), 'utf8');
const order = JSON.parse(readFileSync(join(fixtures, 'new-order-response-limit.json'), 'utf8')) as Record<string, unknown>;
const orderPrefix = JSON.stringify({ ...order, clientOrderId: undefined, price: '65000.0', origQty: '0.005' }).slice(0, -1);
const CLIENT_ID = /(?:newClientOrderId|origClientOrderId)=([^&]+)/;
let orders = 0;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  req.resume();
  const headers = {
    'content-type': 'application/json',
    'x-mbx-used-weight-1m': '12',
    'x-mbx-order-count-10s': '3',
    'x-mbx-order-count-1m': String(++orders % 1000),
  };
  if (url.startsWith('/fapi/v1/order')) {
    const id = decodeURIComponent(CLIENT_ID.exec(url)?.[1] ?? 'x');
    res.writeHead(200, headers);
    res.end(`${orderPrefix},"clientOrderId":${JSON.stringify(id)},"updateTime":${Date.now()}}`);
  } else if (url.startsWith('/fapi/v1/exchangeInfo')) {
    res.writeHead(200, headers);
    res.end(exchangeInfo);
  } else if (url.startsWith('/fapi/v1/time')) {
    res.writeHead(200, headers);
    res.end(`{"serverTime":${Date.now()}}`);
  } else {
    res.writeHead(404, headers);
    res.end('{"code":-1,"msg":"not found"}');
  }
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => tell({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
