import { workspaceProject } from '../../vitest.shared.js';

// One npm install of every packed tarball, then each README's examples: minutes on a shared CPU, not seconds.
export default workspaceProject('package-check', { testTimeout: 240_000, hookTimeout: 600_000 });
