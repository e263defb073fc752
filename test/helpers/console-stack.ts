import { after, before } from 'node:test';
import { HttpAgent as ScriptedBrowser } from '../../src/cli/http-agent';
import { listenOnrampServer, type RunningServer } from '../../src/server/listen';
import { SEEDED_PASSWORD } from '../../src/server/idp/people';
import { useOnrampStack, type OnrampStack } from './onramp-stack';

/** onramp as people reach it: the stack of useOnrampStack, the server, and the embedded OpenID provider. */
export interface ConsoleStack {
  stack: OnrampStack;
  server: RunningServer;
}

export function useConsoleStack(options: Parameters<typeof useOnrampStack>[0] = {}): ConsoleStack {
  const stack = useOnrampStack(options);
  const running = { stack } as ConsoleStack;
  before(async () => {
    running.server = await listenOnrampServer({
      config: stack.config,
      client: stack.client,
      admin: stack.admin,
      embeddedIdp: true,
      port: 0,
    });
  });
  // Registered after useOnrampStack's: node:test runs after hooks in order, so close the server first there.
  after(async () => {
    await running.server?.close();
  });
  return running;
}

/** The CLI's scripted browser (src/cli/http-agent.ts), signing in with the seeded password unless told another. */
export class HttpAgent extends ScriptedBrowser {
  override signIn(server: { url: string }, email: string, password = SEEDED_PASSWORD): Promise<Response> {
    return super.signIn(server, email, password);
  }
}
