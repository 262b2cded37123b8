// The validation worker: the same wasm as the page, in its worker role (see worker.rs).
import init, { worker_main } from './leadsift-web.js';

const early = [];
self.onmessage = (e) => early.push(e.data);
await init({ module_or_path: new URL('./leadsift-web_bg.wasm', import.meta.url) });
worker_main(early);
