import { workspaceProject } from '../vitest.shared.js';

export default workspaceProject('docs', { testTimeout: 180_000 });
