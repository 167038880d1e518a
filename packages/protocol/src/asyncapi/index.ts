import { z } from 'zod';
import { CloseCode, type CloseCodeValue } from '../close-codes';
import { ERROR_CODES, type ServerFrame } from '../frames';
import { clientFrameSchema, clientFrameTypes, serverFrameSchemas } from '../schemas';

/**
 * The WebSocket protocol as an AsyncAPI 3.0 document, generated from the zod schemas the gateway validates
 * client frames with and the server frame table (../schemas). The gateway serves it at `GET /asyncapi.json`.
 */

type ClientFrameType = (typeof clientFrameTypes)[number];

const clientSummaries: Record<ClientFrameType, string> = {
  hello:
    'The first frame, within HELLO_TIMEOUT_MS: signs in with Telegram initData; answered by ready or close 4401.',
  subscribe: 'Follows a topic; with `after`, first replays the events with seq > after.',
  unsubscribe: 'Stops following a topic.',
  typing: 'Tells the ticket’s other viewers the user is typing (relayed, never stored).',
  ping: 'Keep-alive; answered by pong.',
  pong: 'The answer to the gateway’s ping.',
};

const serverSummaries: Record<ServerFrame['type'], string> = {
  ready: 'The answer to hello: who the socket is signed in as.',
  subscribed: 'A subscription holds; `lastSeq` is the topic’s newest event after the replay.',
  unsubscribed: 'A subscription ended.',
  event: 'One ticket event on a followed topic, in seq order.',
  presence: 'Who views a ticket now.',
  typing: 'Someone else is typing on a followed ticket (internal: in a staff note).',
  resync_required: 'The socket missed events on the topic: reload it, then subscribe again.',
  error: 'A refused frame; `field` names the bad field, `topic` the topic concerned.',
  pong: 'The answer to ping.',
};

const closeMeanings: Record<CloseCodeValue, string> = {
  [CloseCode.normal]: 'normal closure',
  [CloseCode.policy]: 'protocol violation (no hello in time, bad frames, a flood): reconnect',
  [CloseCode.tooBig]: 'frame over the size limit',
  [CloseCode.restart]: 'the gateway restarts: reconnect with jittered backoff and resume',
  [CloseCode.tryAgainLater]: 'slow consumer dropped: reconnect later and resume',
  [CloseCode.roleChanged]: 'the role changed: reconnect and say hello again',
  [CloseCode.unauthorized]: 'initData missing, forged or too old: do not retry with the same initData',
  [CloseCode.tooManySockets]: 'too many sockets for this user',
};

function payloadOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...payload } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
  return payload;
}

function message(side: 'client' | 'server', type: string, summary: string, schema: z.ZodType) {
  return {
    name: type,
    title: `${side === 'client' ? 'Client' : 'Server'} frame "${type}"`,
    summary,
    contentType: 'application/json',
    payload: payloadOf(schema),
  };
}

/** The AsyncAPI 3.0 document of the WebSocket protocol at `/ws`. */
export function asyncApiDocument(version = '0.1.0') {
  const messages: Record<string, ReturnType<typeof message>> = {};
  for (const option of clientFrameSchema.options) {
    const type = option.shape.type.value;
    messages[`client.${type}`] = message('client', type, clientSummaries[type], option);
  }
  for (const [type, schema] of Object.entries(serverFrameSchemas) as [ServerFrame['type'], z.ZodType][]) {
    messages[`server.${type}`] = message('server', type, serverSummaries[type], schema);
  }
  const ref = (key: string) => ({ $ref: `#/channels/socket/messages/${key}` });
  const channelMessages = Object.fromEntries(
    Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
  );
  const closeCodes = Object.entries(closeMeanings).map(([code, meaning]) => `- ${code}: ${meaning}`);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'TiketHet gateway WebSocket protocol',
      version,
      description: [
        'JSON text frames both ways on one socket (docs/ARCHITECTURE.md §12). Topics: `ticket:<id>` and `queue` (staff).',
        `Error codes: ${ERROR_CODES.join(', ')}.`,
        'Close codes:',
        ...closeCodes,
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    channels: {
      socket: {
        address: '/ws',
        title: 'The gateway socket',
        description: 'One socket per Mini App tab; every frame of either side travels on it.',
        messages: channelMessages,
        bindings: { ws: { bindingVersion: '0.1.0' } },
      },
    },
    operations: {
      receiveClientFrame: {
        action: 'receive',
        title: 'Frames the gateway accepts',
        channel: { $ref: '#/channels/socket' },
        messages: clientFrameTypes.map((type) => ref(`client.${type}`)),
      },
      sendServerFrame: {
        action: 'send',
        title: 'Frames the gateway sends',
        channel: { $ref: '#/channels/socket' },
        messages: Object.keys(serverFrameSchemas).map((type) => ref(`server.${type}`)),
      },
    },
    components: { messages },
    'x-close-codes': Object.fromEntries(Object.entries(closeMeanings)),
  };
}
