import { createMemoryChannelLayer } from '../../src/layer/index.js';
import { channelLayerContract } from './channel-layer.js';

channelLayerContract('memory', async (options) => createMemoryChannelLayer(options));
