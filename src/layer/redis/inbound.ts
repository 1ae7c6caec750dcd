/**
 * What the Redis layer does with a payload arriving on one of its topics: a broadcast goes to the local
 * members of its group, a send to its channel, a membership change to the local registry. Anything else is
 * logged and dropped; the subscriber keeps going.
 */
import { ChannelFullError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { LocalRegistry } from '../local-registry.js';
import { channelNode } from '../names.js';
import { MalformedPayloadError, type Inbound, type RedisCodec } from './codec.js';
import type { RedisNames } from './connection.js';

/** What {@link createInboundRouter} needs from the layer. */
export interface InboundContext {
  readonly node: string;
  readonly names: RedisNames;
  readonly codec: RedisCodec;
  readonly registry: LocalRegistry;
  readonly log: Logger;
  readonly stats: { droppedFull: number; droppedMalformed: number };
  /** Subscribe to a group's topic (a remote process added a local channel to it). */
  readonly ensureGroupTopic: (group: string) => void;
}

/** Build the `(topic, payload)` handler for the subscriber connection. */
export function createInboundRouter(ctx: InboundContext): (topic: string, payload: string) => void {
  const nodeTopic = ctx.names.nodeTopic(ctx.node);

  const dropMalformed = (topic: string, payload: string, err: unknown): void => {
    ctx.stats.droppedMalformed++;
    ctx.log.warn({ err, topic, payload: payload.slice(0, 200) }, 'malformed layer message dropped');
  };

  const onNodePayload = (inbound: Exclude<Inbound, { kind: 'group' }>): void => {
    if (channelNode(inbound.channel) !== ctx.node) {
      ctx.log.debug({ channel: inbound.channel }, 'misrouted layer message dropped');
    } else if (inbound.kind === 'add') {
      ctx.registry.groupAdd(inbound.group, inbound.channel);
      ctx.ensureGroupTopic(inbound.group);
    } else if (inbound.kind === 'discard') {
      ctx.registry.groupDiscard(inbound.group, inbound.channel);
    } else {
      try {
        ctx.registry.send(inbound.channel, inbound.message);
      } catch (err) {
        if (!(err instanceof ChannelFullError)) throw err;
        ctx.stats.droppedFull++;
        ctx.log.debug({ channel: inbound.channel }, 'remote send to a full channel dropped');
      }
    }
  };

  return (topic, payload) => {
    if (ctx.codec.isOwn(payload)) return; // own broadcast coming back: local members already have it
    let inbound: Inbound;
    try {
      inbound = ctx.codec.decode(payload);
    } catch (err) {
      return dropMalformed(topic, payload, err);
    }
    const group = ctx.names.groupOfTopic(topic);
    if (inbound.kind === 'group' && group !== undefined) ctx.registry.groupSend(group, inbound.message);
    else if (inbound.kind !== 'group' && topic === nodeTopic) onNodePayload(inbound);
    else dropMalformed(topic, payload, new MalformedPayloadError(`${inbound.kind} payload on topic ${topic}`));
  };
}
