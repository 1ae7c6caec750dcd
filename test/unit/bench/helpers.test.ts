import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, selected } from '../../../bench/lib/args.js';
import { parseCpuinfo } from '../../../bench/lib/machine.js';
import { machineBusyMs, parseStat, parseStatusKb, sampleProcess } from '../../../bench/lib/proc.js';
import { percentile, Reservoir, summarizeLatency } from '../../../bench/lib/stats.js';
import { mergePoolStats } from '../../../bench/load/merge.js';
import { publishTimestamp } from '../../../bench/load/pool.js';
import { metricByLabel, parsePollBody } from '../../../bench/targets/tidings.js';
import { TcpState, tcpEstablished, tcpStateIn } from '../../../bench/lib/tcp-state.js';
import { createServer, connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { waitUntil } from '../../../bench/lib/time.js';
import { withDatabaseName } from '../../../bench/scenarios/fresh-database.js';

test('parseStat reads utime and stime after a comm with spaces and parentheses', () => {
  const line = '4242 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 200 300';
  assert.deepEqual(parseStat(line, 100), { userMs: 2500, systemMs: 500 });
  assert.throws(() => parseStat('1 (x) S', 100), /unreadable/);
});

test('parseStatusKb reads kB fields in bytes', () => {
  const status = 'Name:\tnode\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n';
  assert.equal(parseStatusKb(status, 'VmRSS'), 1024 * 1024);
  assert.equal(parseStatusKb(status, 'VmHWM'), 2048 * 1024);
  assert.throws(() => parseStatusKb(status, 'VmSwap'), /no VmSwap/);
});

test('sampleProcess reads this process from /proc', () => {
  const sample = sampleProcess(process.pid);
  assert.ok(sample.rssBytes > 1024 * 1024);
  assert.ok(sample.peakRssBytes >= sample.rssBytes);
  assert.ok(sample.userMs + sample.systemMs >= 0);
});

test('machineBusyMs sums the busy fields of the cpu line', () => {
  const text = 'cpu  100 10 50 9000 40 5 5 20 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n';
  assert.equal(machineBusyMs(text), ((100 + 10 + 50 + 5 + 5 + 20) * 1000) / 100);
});

test('percentile is nearest-rank and empty-safe', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile([], 50), null);
  const summary = summarizeLatency([5, 1, 3]);
  assert.deepEqual([summary.count, summary.p50, summary.max], [3, 3, 5]);
});

test('a reservoir keeps at most its capacity and counts every offer', () => {
  let n = 0;
  const reservoir = new Reservoir(10, () => (n++ % 10) / 10);
  for (let i = 0; i < 1000; i++) reservoir.add(i);
  assert.equal(reservoir.toArray().length, 10);
  assert.equal(reservoir.offered, 1000);
  reservoir.reset();
  assert.deepEqual(reservoir.toArray(), []);
  assert.throws(() => new Reservoir(0), RangeError);
});

test('publishTimestamp reads data.t or t', () => {
  assert.equal(publishTimestamp(Buffer.from('{"type":"broadcast","data":{"t":12.5}}')), 12.5);
  assert.equal(publishTimestamp(Buffer.from('{"t":3}')), 3);
  assert.equal(publishTimestamp(Buffer.from('{"data":{"t":"x"}}')), null);
  assert.equal(publishTimestamp(Buffer.from('not json')), null);
});

test('mergePoolStats sums counters and close codes', () => {
  const one = { sockets: 2, open: 2, deliveries: 10, wireBytes: 100, closeCodes: { '4002': 1 }, lossSockets: 0, missing: 0, latency: [1, 2], latencyOffered: 2 };
  const merged = mergePoolStats([one, { ...one, closeCodes: { '4002': 2, '1000': 1 }, missing: 3, lossSockets: 1 }]);
  assert.equal(merged.deliveries, 20);
  assert.deepEqual(merged.closeCodes, { '4002': 3, '1000': 1 });
  assert.deepEqual([merged.missing, merged.lossSockets, merged.latency.length], [3, 1, 4]);
});

test('parseArgs understands the bench flags and rejects others', () => {
  const args = parseArgs(['--smoke', '--scenario', 'fanout,idle', '--target=ws', '--parallel', '2']);
  assert.deepEqual([args.smoke, args.scenarios, args.targets, args.parallel], [true, ['fanout', 'idle'], ['ws'], 2]);
  assert.throws(() => parseArgs(['--bogus']), /unknown argument/);
  assert.throws(() => parseArgs(['--scenario']), /needs a value/);
  assert.throws(() => parseArgs(['--parallel', '0']), /integer/);
  assert.ok(selected('notify-http-sqlite', ['notify']));
  assert.ok(!selected('notifyx', ['notify']));
  assert.ok(selected('anything', []));
});

test('parseCpuinfo counts processors and reads the model', () => {
  const info = parseCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n');
  assert.deepEqual(info, { model: 'AMD EPYC', count: 2 });
});

test('parsePollBody counts items and takes the cursor', () => {
  assert.deepEqual(parsePollBody('{"items":[{"seq":4},{"seq":5}],"seq":5,"unread":2}'), { count: 2, seq: 5 });
  assert.deepEqual(parsePollBody('{"items":[],"seq":7}'), { count: 0, seq: 7 });
  assert.deepEqual(parsePollBody('{"notifications":[{"seq":2}]}'), { count: 1, seq: 2 });
});

test('withDatabaseName swaps only the database', () => {
  assert.equal(withDatabaseName('postgres://postgres@127.0.0.1:5432/test', 'b1'), 'postgres://postgres@127.0.0.1:5432/b1');
  assert.equal(withDatabaseName('postgres://u:p@h/db?sslmode=disable', 'x'), 'postgres://u:p@h/x?sslmode=disable');
});

test('metricByLabel reads one counter of a metrics page by label value', () => {
  const page = '# HELP x\ntidings_connections_closed_total{code="1000"} 7\ntidings_connections_closed_total{code="4002"} 2\ntidings_drops_total{reason="slow_client"} 1\n';
  assert.deepEqual(metricByLabel(page, 'tidings_connections_closed_total', 'code'), { '1000': 7, '4002': 2 });
  assert.deepEqual(metricByLabel(page, 'tidings_drops_total', 'reason'), { slow_client: 1 });
  assert.deepEqual(metricByLabel(page, 'tidings_other_total', 'code'), {});
});

test('tcpStateIn finds a connection by its ports in /proc/net/tcp text', () => {
  const text = [
    '  sl  local_address rem_address   st tx_queue rx_queue',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000',
    '   1: 0100007F:A2B4 0100007F:1F90 01 00000000:00000000',
    '   2: 0100007F:A2B5 0100007F:1F90 08 00000000:00000000',
  ].join('\n');
  assert.equal(tcpStateIn(text, 0xa2b4, 8080), TcpState.ESTABLISHED);
  assert.equal(tcpStateIn(text, 0xa2b5, 8080), TcpState.CLOSE_WAIT);
  assert.equal(tcpStateIn(text, 0xa2b6, 8080), null);
});

test('tcpEstablished sees a live loopback connection and its end', async () => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const accepted = once(server, 'connection');
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = (await accepted) as [import('node:net').Socket];
  assert.equal(tcpEstablished(client.localPort ?? 0, port), true);
  const local = client.localPort ?? 0;
  peer.destroy();
  assert.ok(await waitUntil(() => !tcpEstablished(local, port), 2000), 'the client side leaves ESTABLISHED');
  client.destroy();
  server.close();
});
