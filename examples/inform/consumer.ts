/**
 * The seed's InformConsumer, ported from Django Channels almost line for line:
 *
 *   class InformConsumer(AsyncWebsocketConsumer):
 *       async def connect(self):     group_add('yunbo_inform', self.channel_name); accept()
 *       async def disconnect(self):  group_discard(...)
 *       async def receive(self, text_data):   group_send(group, {'type': 'web_update_inform', 'message': ...})
 *       async def web_update_inform(self, event):   send(json.dumps({func, username, article, ...}))
 *
 * The seed's bug is fixed: `receive` built an event with only `message`, while the handler read `func`,
 * `username`, … and crashed. Here the client's message is validated into a full inform, or answered with
 * an error frame.
 */
import { JsonConsumer, TidingsError, type EventHandlers, type LayerMessage } from '../../src/index.js';

export const INFORM_GROUP = 'yunbo_inform';

/** What the seed pushes to browsers. */
export interface Inform {
  func: string;
  username: string;
  article: string;
  head_image: string;
  trigger_username: string;
}

/** The channel-layer event carrying an inform. */
export interface WebUpdateInform extends LayerMessage, Inform {
  readonly type: 'web_update_inform';
}

const FIELDS = ['func', 'username', 'article', 'head_image', 'trigger_username'] as const;

/** Read an inform from a client message; missing optional fields become empty strings. */
export function toInform(content: unknown): Inform | null {
  if (!content || typeof content !== 'object') return null;
  const c = content as Record<string, unknown>;
  if (typeof c.func !== 'string' || typeof c.username !== 'string') return null;
  const pick = (k: (typeof FIELDS)[number]) => (typeof c[k] === 'string' ? (c[k] as string).slice(0, 500) : '');
  return { func: pick('func'), username: pick('username'), article: pick('article'), head_image: pick('head_image'), trigger_username: pick('trigger_username') };
}

export class InformConsumer extends JsonConsumer {
  override groups = [INFORM_GROUP];

  override handlers: EventHandlers<this> = {
    web_update_inform: (event: WebUpdateInform) => {
      const { func, username, article, head_image, trigger_username } = event;
      this.sendJson({ func, username, article, head_image, trigger_username });
    },
  };

  override async receiveJson(content: unknown): Promise<void> {
    const inform = toInform(content);
    if (!inform) {
      this.sendError(new TidingsError('INVALID_FRAME', 'an inform needs string fields "func" and "username"'));
      return;
    }
    const event: WebUpdateInform = { type: 'web_update_inform', ...inform };
    await this.layer.groupSend(INFORM_GROUP, event);
  }
}
