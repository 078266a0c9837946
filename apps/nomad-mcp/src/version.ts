import { version } from '../../../package.json';

/** The service's version, from package.json (served in the MCP handshake and the OpenAPI document). */
export const VERSION: string = version;
