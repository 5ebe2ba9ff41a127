import type { ApiResponse } from './http.js';

/** Sends `request` and measures how long the answer took. */
export async function timed(
  request: () => Promise<ApiResponse>,
): Promise<{ response: ApiResponse; ms: number }> {
  const started = Date.now();
  const response = await request();
  return { response, ms: Date.now() - started };
}

/** Repeats `request` every 200 ms until `done` holds, at most for `boundMs`; the last answer. */
export async function pollUntil(
  request: () => Promise<ApiResponse>,
  done: (response: ApiResponse) => boolean,
  boundMs: number,
): Promise<{ response: ApiResponse; ms: number }> {
  const started = Date.now();
  let response = await request();
  while (!done(response) && Date.now() - started < boundMs) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    response = await request();
  }
  return { response, ms: Date.now() - started };
}
