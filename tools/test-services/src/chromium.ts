import { ensureBinary } from './system-binary.js';

/**
 * The path of Debian's `chromium` (or `chromium-browser`, `google-chrome`) for browser tests; installs the
 * `chromium` package as root when missing, otherwise throws `MissingServiceError` with the install command.
 * `BBP_CHROMIUM` overrides the lookup.
 */
export function findChromium(): string {
  const override = process.env.BBP_CHROMIUM;
  if (override) return override;
  return ensureBinary(['chromium', 'chromium-browser', 'google-chrome'], 'chromium');
}
