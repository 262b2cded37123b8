// The validation worker, or the hashing worker it starts (named "hasher"): see worker.rs, hasher.rs.
import init, { worker_main, hasher_main } from './leadsift-web.js';

const early = [];
self.onmessage = (e) => early.push(e.data);
await init({ module_or_path: new URL('./leadsift-web_bg.wasm', import.meta.url) });
(self.name === 'hasher' ? hasher_main : worker_main)(early);
