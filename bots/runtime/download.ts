/**
 * A response's body, or null when it exceeds `max` bytes (the size a platform announced may be missing
 * or wrong, so the bytes are counted as they come).
 */
export async function readLimited(response: Response, max: number): Promise<Uint8Array | null> {
  if (!response.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body as AsyncIterable<Uint8Array>) {
    total += part.byteLength;
    if (total > max) return null;
    parts.push(part);
  }
  return Buffer.concat(parts);
}
