/**
 * The protocol between the gateway and the Mini App: WebSocket frames both ways, topic names, close codes,
 * and the helpers both sides need. No dependencies, so the Mini App bundles it for a few hundred bytes.
 */
export * from './close-codes';
export * from './frames';
export * from './people';
export * from './topics';
