/**
 * Channel layer fan-out: group messages per second delivered to N members, on the memory layer and on Redis
 * with all members in one layer instance ("one process") vs split across two instances ("two processes",
 * the sender's half delivered locally, the other half through one PUBLISH per message). Both Redis instances
 * run in this one Node process, so the two-process figure includes the receiving side's work too.
 * Each figure is the median of `--runs` runs after one unmeasured warm-up run (JIT), each run on a new group.
 *
 *   node --import tsx bench/layer-throughput.ts [--members 1000] [--messages 10000] [--window 64] [--runs 3]
 *     [--redis redis://127.0.0.1:6379]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createMemoryChannelLayer, createRedisChannelLayer, type ChannelLayer } from '../src/layer/index.js';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '10000' },
    window: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    redis: { type: 'string', default: process.env.TIDINGS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const members = Number(args.members);
const messages = Number(args.messages);
const windowSize = Number(args.window);
const runs = Number(args.runs);
/** Large enough that a burst from one socket read never fills a member: this measures speed, not drops. */
const capacity = 10_000;

interface Result {
  label: string;
  groupMessagesPerSecond: number;
  deliveriesPerSecond: number;
  droppedFull: number;
}

/** Add `count` receiving members to `layer`; `onDelivery` is called for each message a member gets. */
async function addMembers(layer: ChannelLayer, group: string, count: number, onDelivery: () => void): Promise<void> {
  const adds: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const channel = layer.newChannel();
    layer.receive(channel, onDelivery);
    adds.push(layer.groupAdd(group, channel));
  }
  await Promise.all(adds);
}

/** Send `messages` group messages from `sender` (`windowSize` in flight) until every member has them all. */
async function measureOnce(label: string, sender: ChannelLayer, split: Array<[ChannelLayer, number]>): Promise<Result> {
  const group = `bench-${randomBytes(3).toString('hex')}`;
  const expected = split.reduce((sum, [, n]) => sum + n, 0) * messages;
  let delivered = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onDelivery = (): void => {
    if (++delivered === expected) finish();
  };
  for (const [layer, count] of split) await addMembers(layer, group, count, onDelivery);

  const started = performance.now();
  for (let sent = 0; sent < messages; sent += windowSize) {
    const batch: Array<Promise<void>> = [];
    for (let i = sent; i < Math.min(messages, sent + windowSize); i++) batch.push(sender.groupSend(group, { type: 'bench', i }));
    await Promise.all(batch);
  }
  const timeout = setTimeout(() => {
    throw new Error(`${label}: only ${delivered} of ${expected} deliveries after 120 s`);
  }, 120_000);
  await done;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  const droppedFull = split.reduce((sum, [layer]) => sum + layer.stats.droppedFull, 0); // cumulative
  return { label, groupMessagesPerSecond: messages / seconds, deliveriesPerSecond: expected / seconds, droppedFull };
}

/** One warm-up run, then the median of `runs` runs (by group messages per second). */
async function measure(label: string, sender: ChannelLayer, split: Array<[ChannelLayer, number]>): Promise<Result> {
  await measureOnce(label, sender, split);
  const results: Result[] = [];
  for (let i = 0; i < runs; i++) results.push(await measureOnce(label, sender, split));
  results.sort((x, y) => x.groupMessagesPerSecond - y.groupMessagesPerSecond);
  return results[Math.floor(results.length / 2)]!;
}

async function redisResults(url: string): Promise<Result[]> {
  const prefix = `bench-layer-${randomBytes(4).toString('hex')}`;
  const options = { url, prefix, capacity, connectTimeoutMs: 2000 };
  const a = await createRedisChannelLayer(options);
  const b = await createRedisChannelLayer(options);
  try {
    return [
      await measure('redis, 1 process', a, [[a, members]]),
      await measure('redis, 2 processes', a, [[a, members / 2], [b, members / 2]]),
    ];
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const memory = createMemoryChannelLayer({ capacity });
  results.push(await measure('memory, 1 process', memory, [[memory, members]]));
  await memory.close();
  try {
    results.push(...(await redisResults(args.redis)));
  } catch (err) {
    process.stderr.write(`redis part skipped: ${(err as Error).message}\n`);
  }
  const setup = `${members} members, ${messages} group messages, window ${windowSize}, median of ${runs}`;
  process.stdout.write(`channel layer fan-out: ${setup}\n`);
  process.stdout.write('| layer | group msg/s | deliveries/s | dropped full |\n|---|---:|---:|---:|\n');
  for (const r of results) {
    const row = [r.label, Math.round(r.groupMessagesPerSecond), Math.round(r.deliveriesPerSecond), r.droppedFull];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
}

await main();
