/** Why a file could not be read as WebM/Opus; the message names what is wrong, for a 400. */
export class WebmOpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebmOpusError';
  }
}
