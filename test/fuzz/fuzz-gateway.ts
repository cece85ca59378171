/** The gateway the HTTP fuzz properties hit, and how they read an answer's stable code. */
import { expect } from 'vitest';
import type { ErrorCode } from '../../src/errors/index.js';
import {
  reservePort,
  startBedIdps,
  startFederationBed,
  type BedIdps,
  type FederationBed,
} from '../integration/faults/federation-bed.js';

/** A gateway on the embedded store with its IdPs. */
export interface FuzzGateway {
  readonly bed: FederationBed;
  readonly idps: BedIdps;
  close(): Promise<void>;
}

/** Starts the federation bed used by every HTTP fuzz property. */
export async function startFuzzGateway(): Promise<FuzzGateway> {
  const port = await reservePort();
  const idps = await startBedIdps(port);
  const bed = await startFederationBed({ idps, port });
  return {
    bed,
    idps,
    async close() {
      await bed.close();
      await idps.stop();
    },
  };
}

/** What an answer said: its status and its stable code (problem+json `code`, OAuth `error`, or the HTML page's). */
export interface Refusal {
  readonly status: number;
  readonly code: string | undefined;
}

/** Reads the status and the stable code of any fedgate answer. */
export async function refusalOf(response: Response): Promise<Refusal> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let code: string | undefined;
  if (type.includes('json')) {
    try {
      const body = JSON.parse(text) as { code?: unknown; error?: unknown };
      const value = body.code ?? body.error;
      code = typeof value === 'string' ? value : undefined;
    } catch {
      code = undefined;
    }
  } else {
    code = /Error code: <code>([A-Za-z]+)<\/code>/.exec(text)?.[1];
  }
  return { status: response.status, code };
}

/** Asserts a refusal: a 4xx in `statuses` with a code from `codes`, never a 5xx, never a success. */
export function expectRefused(
  refusal: Refusal,
  statuses: readonly number[],
  codes: readonly (ErrorCode | string)[],
  input: string,
): void {
  const shown = input.length > 300 ? `${input.slice(0, 300)}…` : input;
  expect(statuses, `status ${refusal.status} (${refusal.code ?? 'no code'}) for ${shown}`).toContain(
    refusal.status,
  );
  expect(codes, `code ${refusal.code ?? 'none'} (status ${refusal.status}) for ${shown}`).toContain(
    refusal.code,
  );
}
