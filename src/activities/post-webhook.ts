import { Failure } from '../shared/failures';

/**
 * POSTs a JSON body to a webhook and classifies its answer for the retry policy: a 4xx (but 429) means the
 * receiver refuses this request and will refuse it again, anything else that is not 2xx may pass later.
 * `what` names the receiver in errors, which never show the URL: a Slack webhook URL is a credential.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  what: string,
): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(20_000),
  }).catch((error: unknown) => {
    throw Failure.WebhookFailed(`${what} could not be reached: ${(error as Error).message}`);
  });
  await response.body?.cancel();
  if (response.ok) return `posted (${response.status})`;
  const failure = `${what} answered ${response.status} ${response.statusText}`;
  const refused = response.status >= 400 && response.status < 500 && response.status !== 429;
  throw (refused ? Failure.WebhookRefused : Failure.WebhookFailed)(failure);
}
