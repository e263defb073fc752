/** A readiness check: resolves when the dependency answers, throws saying why not. */
export type ReadinessCheck = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** `ok`, or why the check failed. */
  checks: Record<string, string>;
}

/** How long one check may take: a probe that hangs is a dependency that does not answer. */
const CHECK_TIMEOUT_MS = 3000;

/** Runs the checks side by side; ready when every one passed. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>): Promise<Readiness> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/** Temporal answers on this connection (worker's NativeConnection or a client's Connection alike). */
export const temporalReachable =
  (connection: { workflowService: { getSystemInfo(request: object): Promise<unknown> } }): ReadinessCheck =>
  async () => {
    await connection.workflowService.getSystemInfo({});
  };

/**
 * The org answers onramp's admin session. The API versions listing is the one call Salesforce does not
 * count against the daily allocation, so probing every few seconds costs nothing.
 */
export const orgReachable =
  (admin: () => Promise<{ request(url: string): Promise<unknown> }>): ReadinessCheck =>
  async () => {
    await (await admin()).request('/services/data');
  };
