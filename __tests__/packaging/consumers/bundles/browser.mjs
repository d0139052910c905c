// A web page's code using the installed tarball's tokenkit/client.
import { ApiError, UserClient } from 'tokenkit/client';

export const chat = new UserClient({ apiKey: 'browser-key', baseUrl: 'http://127.0.0.1:9' });
export { ApiError };
