/**
 * The harness's byte budget for a WebSocket connection that has not presented the token yet. `ws` has one
 * maxPayload per server, sized for one command after authentication; before it, a local stranger must
 * not make the harness wait for (or buffer) more than a token's worth. This reads the raw socket next to ws:
 * it counts every byte and reads each frame header's declared length (RFC 6455 §5.2), so a frame that
 * announces more than the budget is refused at its header, not after a timeout.
 */

export class PreAuthLimit {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  /** Offset of the next frame header not yet read, within the bytes received so far. */
  private nextFrame = 0;

  constructor(private readonly maxBytes: number) {}

  /** Feeds the bytes the socket received; false means the connection must be cut off. */
  accepts(chunk: Buffer): boolean {
    this.total += chunk.length;
    if (this.total > this.maxBytes) return false;
    this.chunks.push(chunk);
    const received = Buffer.concat(this.chunks);
    while (this.nextFrame < received.length) {
      const frame = readFrameHeader(received, this.nextFrame);
      if (frame === 'incomplete') break;
      if (frame.payloadLength > BigInt(this.maxBytes)) return false;
      this.nextFrame += frame.headerLength + Number(frame.payloadLength);
    }
    return true;
  }
}

function readFrameHeader(
  bytes: Buffer,
  offset: number,
): { headerLength: number; payloadLength: bigint } | 'incomplete' {
  const second = bytes[offset + 1];
  if (second === undefined) return 'incomplete';
  const maskLength = second & 0x80 ? 4 : 0;
  const short = second & 0x7f;
  if (short < 126) return { headerLength: 2 + maskLength, payloadLength: BigInt(short) };
  if (short === 126) {
    if (bytes.length < offset + 4) return 'incomplete';
    return { headerLength: 4 + maskLength, payloadLength: BigInt(bytes.readUInt16BE(offset + 2)) };
  }
  if (bytes.length < offset + 10) return 'incomplete';
  return { headerLength: 10 + maskLength, payloadLength: bytes.readBigUInt64BE(offset + 2) };
}
