/** The token getter behind the bell's `token-url` attribute. */
import type { GetToken } from '../client/index.js';

/**
 * POSTs to `url` (same-origin credentials) and reads `{"token": "…"}` or the token as text. 401 and 403 mean
 * "nobody is signed in" (null: the bell says "Sign-in needed"); any other failure throws, which the client
 * reports as `TOKEN_FAILED` (the bell says "Server error" and keeps retrying).
 */
export function tokenFrom(url: string): GetToken {
  return async () => {
    const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.status === 401 || response.status === 403) return null;
    if (!response.ok) throw new Error(`token-url answered ${response.status}`);
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      const body = (await response.json()) as { token?: unknown } | null;
      return typeof body?.token === 'string' ? body.token : null;
    }
    return (await response.text()).trim() || null;
  };
}
