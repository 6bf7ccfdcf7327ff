// The port link is browser-safe and lives in the main entry; this module keeps `./node` exporting it as before.
export { PortLink, type DomStylePort, type NodeStylePort, type PortLike, type PortLinkOptions } from '../port-link.js';
