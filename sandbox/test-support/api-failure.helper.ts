/** What an SDK call rejected with, for assertions on HubSpot `ApiException`s and Anthropic `APIError`s. */
export interface CaughtFailure {
  code?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  name: string;
  message: string;
  error: unknown;
}

export async function failureOf(promise: Promise<unknown>): Promise<CaughtFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as Record<string, unknown>;
    return {
      ...(typeof e.code === 'number' ? { code: e.code } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
      body: e.body,
      ...(typeof e.headers === 'object' && e.headers !== null ? { headers: e.headers as Record<string, string> } : {}),
      name: error instanceof Error ? error.constructor.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
      error,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
