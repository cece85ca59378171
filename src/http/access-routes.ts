import type { Express, Request, Response } from 'express';
import {
  DEFAULT_DAYS,
  parseContextPairs,
  parseDays,
  parseRoleName,
  parseText,
  type AccessReports,
  type WhoCanReport,
} from '../access-analysis/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import { readCredential } from '../sessions/index.js';
import {
  accessReportPage,
  errorPage,
  portalBrand,
  renderPortalPage,
  type PortalPage,
} from '../portal/index.js';
import {
  adminArn,
  bearerToken,
  requireAdminPermission,
  type AdminPermissionDeps,
} from './admin-permission.js';

/** The permission every access report needs (issue 15). */
export const VIEW_ACCESS_REPORTS = 'fedgate:ViewAccessReports';

/** What the access-report endpoints need. */
export interface AccessRouteDeps extends AdminPermissionDeps {
  readonly reports: AccessReports;
}

/**
 * The access-analysis API (`GET /access/<report>`, JSON, Bearer credential) and its admin page
 * (`GET /portal/access`, HTML, the `fedgate_session` cookie): both need `fedgate:ViewAccessReports` on
 * `arn:<partition>:fedgate::<account>:access-report/<report>`.
 */
export function accessRoutes(deps: AccessRouteDeps): (app: Express) => void {
  const allow = (req: Request, credential: string, report: string): Promise<unknown> =>
    requireAdminPermission(
      deps,
      req,
      credential,
      VIEW_ACCESS_REPORTS,
      adminArn(deps.getConfig(), `access-report/${report}`),
    );
  const retention = (): number => deps.reports.retentionDays();
  const json = (res: Response, body: unknown): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };

  return (app) => {
    app.get('/access/last-accessed', async (req, res) => {
      await allow(req, bearerToken(req), 'last-accessed');
      const role = parseRoleName(req.query.role);
      json(
        res,
        await deps.reports.lastAccessed(
          role,
          parseDays(req.query.days, DEFAULT_DAYS.lastAccessed, retention()),
        ),
      );
    });

    app.get('/access/unused', async (req, res) => {
      await allow(req, bearerToken(req), 'unused');
      json(res, await deps.reports.unused(parseDays(req.query.days, DEFAULT_DAYS.unused, retention())));
    });

    app.get('/access/generate-policy', async (req, res) => {
      await allow(req, bearerToken(req), 'generate-policy');
      const role = parseRoleName(req.query.role);
      json(
        res,
        await deps.reports.generatePolicy(
          role,
          parseDays(req.query.days, DEFAULT_DAYS.generatePolicy, retention()),
        ),
      );
    });

    app.get('/access/who-can', async (req, res) => {
      await allow(req, bearerToken(req), 'who-can');
      json(
        res,
        deps.reports.whoCan(
          whoCanQuestion(req.query.action, req.query.resource, contextList(req.query.context)),
        ),
      );
    });

    app.get('/access/findings', async (req, res) => {
      await allow(req, bearerToken(req), 'findings');
      json(res, await deps.reports.findings(parseDays(req.query.days, DEFAULT_DAYS.findings, retention())));
    });

    app.get('/access/overview', async (req, res) => {
      await allow(req, bearerToken(req), 'overview');
      json(res, await deps.reports.overview(parseDays(req.query.days, DEFAULT_DAYS.overview, retention())));
    });

    app.get('/portal/access', async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const page = (status: number, body: PortalPage): void => {
        res
          .status(status)
          .type('html')
          .send(renderPortalPage(body, portalBrand(deps.getConfig().portal)));
      };
      const reading = readCredential(
        { authorization: req.headers.authorization, cookie: req.headers.cookie },
        { cookie: true },
      );
      const credential = reading.status === 'present' ? reading.credential.token : undefined;
      try {
        if (credential === undefined)
          throw new FedgateError(
            'InvalidToken',
            'Open a session of a role allowed fedgate:ViewAccessReports from the portal first.',
          );
        await allow(req, credential, 'overview');
        const days = parseDays(req.query.days, DEFAULT_DAYS.overview, retention());
        const overview = await deps.reports.overview(days);
        const form = {
          action: typeof req.query.action === 'string' ? req.query.action : '',
          resource: typeof req.query.resource === 'string' ? req.query.resource : '',
          context: typeof req.query.context === 'string' ? req.query.context : '',
        };
        let whoCan: WhoCanReport | undefined;
        let whoCanError: string | undefined;
        if (form.action !== '' || form.resource !== '') {
          try {
            const lines = form.context
              .split(/\r?\n/)
              .map((line) => line.trim())
              .filter((line) => line !== '');
            whoCan = deps.reports.whoCan(whoCanQuestion(form.action, form.resource, lines));
          } catch (error) {
            if (!isFedgateError(error)) throw error;
            whoCanError = error.detail;
          }
        }
        page(200, accessReportPage({ overview, whoCan, whoCanError, form }));
      } catch (error) {
        if (!isFedgateError(error)) throw error;
        const status =
          error.code === 'AccessDenied' ? 403 : error.code === 'ValidationError' ? 400 : error.status;
        const title = error.code === 'AccessDenied' ? 'Not allowed' : 'Sign-in needed';
        page(
          status,
          errorPage(
            title,
            error.code === 'AccessDenied'
              ? 'Your role is not allowed fedgate:ViewAccessReports.'
              : error.detail,
            error.code,
          ),
        );
      }
    });
  };
}

function whoCanQuestion(action: unknown, resource: unknown, context: readonly unknown[]) {
  return {
    action: parseText('action', action, 256),
    resource: parseText('resource', resource),
    context: parseContextPairs(context),
  };
}

function contextList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
