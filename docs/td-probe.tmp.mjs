import { Application } from 'typedoc';
const extra = JSON.parse(process.argv[2] ?? '{}');
const app = await Application.bootstrapWithPlugins({ options: '/work/wt/demo/docs/typedoc.json', entryPoints: ['../packages/training'], ...extra });
const project = await app.convert();
let n = 0;
for (const r of Object.values(project.reflections)) for (const s of r.sources ?? []) { if (n++ < 3) console.log(s.url, s.fileName); }
console.log('sources', n);
