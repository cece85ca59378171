/**
 * The parent's side of bench/saml-load-generator.ts: two child processes, one sending what it is told to, the
 * other timing `/healthz`, so a probe's clock never waits behind the sending of a half-megabyte body. Used by
 * bench/saml-worst-case.ts and bench/saml-floor.ts, so both drive their servers with exactly the same load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { LoadAnswer, LoadCommand, LoadRequest } from './saml-load-generator.js';

type Answer<K extends LoadAnswer['kind']> = Extract<LoadAnswer, { kind: K }>;

export class LoadGenerator {
  readonly #sender: ChildProcess;
  readonly #prober: ChildProcess;
  #kept = 0;

  constructor(url: string) {
    const start = (): ChildProcess =>
      fork(new URL('./saml-load-generator.ts', import.meta.url), [url], { execArgv: ['--import', 'tsx'] });
    this.#sender = start();
    this.#prober = start();
  }

  /** Hands a request over ahead of time, so the IPC copy is not inside a measurement; its index. */
  async keep(request: LoadRequest): Promise<number> {
    const index = this.#kept++;
    const { path, contentType, body } = request;
    await ask(this.#sender, { kind: 'keep', index, request: { path, contentType, body } });
    return index;
  }

  send(index: number): Promise<Answer<'sent'>> {
    return ask(this.#sender, { kind: 'send', index }) as Promise<Answer<'sent'>>;
  }

  probe(seconds: number): Promise<Answer<'probed'>> {
    return ask(this.#prober, { kind: 'probe', seconds }) as Promise<Answer<'probed'>>;
  }

  /** `/healthz` latencies while the kept requests `indexes` arrive at `rate` per second, and their outcomes. */
  async load(
    seconds: number,
    rate: number,
    indexes: number[],
  ): Promise<Answer<'probed'> & { outcomes: [number | string, number][] }> {
    const [probed, sent] = await Promise.all([
      this.probe(seconds),
      ask(this.#sender, { kind: 'hostile', seconds, rate, indexes }) as Promise<Answer<'sent-hostile'>>,
    ]);
    return { ...probed, outcomes: sent.outcomes };
  }

  close(): void {
    this.#sender.disconnect();
    this.#prober.disconnect();
  }
}

function ask(child: ChildProcess, command: LoadCommand): Promise<LoadAnswer> {
  return new Promise((resolve) => {
    child.once('message', (reply: LoadAnswer) => resolve(reply));
    child.send(command);
  });
}
