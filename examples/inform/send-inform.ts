/**
 * The seed's `send_inform()`: ordinary request code ("a comment was posted") pushes to every connected
 * browser through the channel layer, outside any consumer. In Django it was
 * `async_to_sync(channel_layer.group_send)(group, {...})`; in Node it is just an awaited call.
 */
import { getChannelLayer } from '../../src/index.js';
import { INFORM_GROUP, type WebUpdateInform } from './consumer.js';

export async function sendInform(
  func: string,
  username: string,
  article: string,
  headImage: string,
  triggerUsername: string,
  groupName: string = INFORM_GROUP,
): Promise<void> {
  const event: WebUpdateInform = { type: 'web_update_inform', func, username, article, head_image: headImage, trigger_username: triggerUsername };
  await getChannelLayer().groupSend(groupName, event);
}
