/**
 * The bytes-on-the-wire meter of methods that exchange encoded weights (pure text formatting; no DOM, no tfjs).
 */
import type { WireMeter } from './worker-protocol.js';

/** "on the wire: 1.2 MB (float32 would be 4.4 MB: 3.7× less)". */
export function formatWire(wire: WireMeter): string {
  const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`);
  const ratio = wire.bytesSent > 0 ? wire.bytesSentFloat32 / wire.bytesSent : 0;
  // Tiny layers can cost more than float32: the per-layer headers of the wire format then dominate.
  const versus = ratio === 0 ? '' : ratio >= 1 ? `: ${ratio.toFixed(1)}× less` : `: ${(1 / ratio).toFixed(1)}× more, headers dominate tiny layers`;
  return `on the wire: ${size(wire.bytesSent)} (float32 would be ${size(wire.bytesSentFloat32)}${versus})`;
}
