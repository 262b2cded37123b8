// The validation worker, or (named "hasher") the hashing worker it starts beside it: the same
// wasm as the page, in one of its worker roles (see worker.rs and hasher.rs).
import init, { worker_main, hasher_main } from './leadsift-web.js';

const early = [];
self.onmessage = (e) => early.push(e.data);
await init({ module_or_path: new URL('./leadsift-web_bg.wasm', import.meta.url) });
(self.name === 'hasher' ? hasher_main : worker_main)(early);
