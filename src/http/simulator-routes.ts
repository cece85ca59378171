import type { Express } from 'express';
import { parseContextPairs } from '../access-analysis/index.js';
import { SIMULATE_PRINCIPAL_ACTION, SIMULATOR_PATH, type Authorizer } from '../authorizer/index.js';
import type { GatewayConfig } from '../config/index.js';
import { isFedgateError } from '../errors/index.js';
import {
  portalBrand,
  renderPortalPage,
  simulatorPage,
  type SimulatorForm,
  type SimulatorNotice,
} from '../portal/index.js';
import { readCredential } from '../sessions/index.js';

/** What the simulator page needs. */
export interface SimulatorRouteDeps {
  readonly authorizer: Pick<Authorizer, 'check'>;
  getConfig(): GatewayConfig;
}

/**
 * `GET /portal/simulator?principal=&action=&resource=&context=` (HTML, the `fedgate_session` cookie): the
 * decision of `POST /authz/check` for a role principal, so the same permission (`fedgate:SimulatePrincipalPolicy`
 * on the role) and the same decision function apply. The authorizer's deny answers link here, pre-filled.
 */
export function simulatorRoutes(deps: SimulatorRouteDeps): (app: Express) => void {
  return (app) => {
    app.get(SIMULATOR_PATH, async (req, res) => {
      const form: SimulatorForm = {
        principal: text(req.query.principal),
        action: text(req.query.action),
        resource: text(req.query.resource),
        context: text(req.query.context),
      };
      const send = (
        status: number,
        result: { answer?: Parameters<typeof simulatorPage>[0]['answer']; notice?: SimulatorNotice },
      ): void => {
        res.setHeader('Cache-Control', 'no-store');
        res
          .status(status)
          .type('html')
          .send(renderPortalPage(simulatorPage({ form, ...result }), portalBrand(deps.getConfig().portal)));
      };
      if (form.principal === '' && form.action === '' && form.resource === '') {
        send(200, {});
        return;
      }
      const credential = readCredential(
        { authorization: req.headers.authorization, cookie: req.headers.cookie },
        { cookie: true },
      );
      try {
        const outcome = await deps.authorizer.check(
          {
            principal: form.principal,
            action: form.action,
            resource: form.resource,
            context: parseContextPairs(contextLines(form.context)),
          },
          { sourceIp: req.ip, secure: req.secure, credential },
        );
        if (outcome.kind === 'answer') send(200, { answer: outcome.answer });
        else if (outcome.kind === 'unauthenticated') send(401, { notice: { kind: 'sign-in' } });
        else send(403, { notice: { kind: 'not-allowed', permission: SIMULATE_PRINCIPAL_ACTION } });
      } catch (error) {
        if (!isFedgateError(error) || error.code !== 'ValidationError') throw error;
        send(400, { notice: { kind: 'invalid', message: error.detail } });
      }
    });
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 4096) : '';
}

function contextLines(context: string): string[] {
  return context
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
