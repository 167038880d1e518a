/** Every close code the gateway uses, and what a client does on each. */
export const CloseCode = {
  normal: 1000,
  /** A protocol violation (no hello in time, a flood of frames): reconnect. */
  policy: 1008,
  /** A frame over the size limit. */
  tooBig: 1009,
  /** The gateway restarts: reconnect (with backoff). */
  restart: 1012,
  /** A slow consumer was dropped: reconnect later and resume. */
  tryAgainLater: 1013,
  /** The user's role changed: reconnect and say hello again to get the new one. */
  roleChanged: 4000,
  /** initData missing, forged or too old: do not reconnect with the same initData. */
  unauthorized: 4401,
  /** The user already holds MAX_SOCKETS_PER_USER sockets: close one, or retry later. */
  tooManySockets: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
