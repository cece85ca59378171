import type { CheckAnswer } from '../authorizer/index.js';
import { html } from './html.js';
import type { PortalPage } from './portal-pages.js';

/** What the simulator form holds (echoed back into the form, escaped). */
export interface SimulatorForm {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** `key=value` lines. */
  readonly context: string;
}

/** Why the simulator shows no result. */
export type SimulatorNotice =
  | { readonly kind: 'sign-in' }
  | { readonly kind: 'not-allowed'; readonly permission: string }
  | { readonly kind: 'invalid'; readonly message: string };

const STYLE = `
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,textarea{font:inherit;width:100%;padding:.4rem;border:1px solid var(--line);border-radius:.375rem;background:var(--card);color:var(--fg)}
textarea{font-family:ui-monospace,monospace;font-size:.9rem}.result{margin-top:1.5rem}
.decision{font-size:1.25rem;font-weight:700}.decision-Allow{color:#2da44e}.decision-ExplicitDeny,.decision-ImplicitDeny{color:var(--warn)}
table{border-collapse:collapse;width:100%;font-size:.9rem;background:var(--card)}th,td{text-align:left;padding:.5rem .75rem;border:1px solid var(--line)}
`;

const LAYER_LABELS: Readonly<Record<string, string>> = {
  guardrail: 'guardrail',
  boundary: 'permissions boundary',
  session: 'session policy',
  identity: 'identity policy',
  resource: 'resource policy',
  trust: 'trust policy',
};

/**
 * The policy simulator page (`GET /portal/simulator`): a form for principal, action, resource and context keys,
 * and the decision of the same `authorizeSession` the authorizer runs, with the layer and the statements that
 * decided (policy names and Sids, never policy text). Server-rendered, no script.
 */
export function simulatorPage(options: {
  form: SimulatorForm;
  answer?: CheckAnswer | undefined;
  notice?: SimulatorNotice | undefined;
}): PortalPage {
  const { form, answer, notice } = options;
  return {
    title: 'Policy simulator',
    style: STYLE,
    body: html`<h1>Policy simulator</h1>
      <p class="muted">
        Decides a request for a role as the authorizer would. The role's session is simulated: state its MFA
        and tags as context keys.
      </p>
      <form method="get" action="/portal/simulator" aria-label="Request to simulate">
        <label for="sim-principal">Principal (role name, role ARN or assumed-role ARN)</label>
        <input id="sim-principal" name="principal" required value="${form.principal}" />
        <label for="sim-action">Action</label>
        <input id="sim-action" name="action" required value="${form.action}" placeholder="orders:GetOrder" />
        <label for="sim-resource">Resource ARN</label>
        <input id="sim-resource" name="resource" required value="${form.resource}" />
        <label for="sim-context">Context keys (one <code>key=value</code> per line)</label>
        <textarea id="sim-context" name="context" rows="4">${form.context}</textarea>
        <div class="actions"><button type="submit">Simulate</button></div>
      </form>
      ${notice === undefined ? '' : noticeHtml(notice)} ${answer === undefined ? '' : resultHtml(answer)}`,
  };
}

function noticeHtml(notice: SimulatorNotice) {
  switch (notice.kind) {
    case 'sign-in':
      return html`<p class="notice" role="alert" id="sim-notice">
        Open a role session from the <a href="/">portal</a> first: the simulator runs with your role's
        permission.
      </p>`;
    case 'not-allowed':
      return html`<p class="notice" role="alert" id="sim-notice">
        Your role is not allowed <code>${notice.permission}</code> on this role.
      </p>`;
    case 'invalid':
      return html`<p class="notice" role="alert" id="sim-notice">${notice.message}</p>`;
  }
}

function resultHtml(answer: CheckAnswer) {
  const statements = answer.matchedStatements ?? [];
  return html`<section class="result" aria-labelledby="sim-result-heading" id="sim-result">
    <h2 id="sim-result-heading">Result</h2>
    <p>
      <span class="decision decision-${answer.decision}" data-field="decision">${answer.decision}</span>
      for <code>${answer.principal}</code>
    </p>
    ${
      answer.blockedBy === undefined || answer.decision === 'Allow'
        ? ''
        : html`<p data-field="layer">
            Decided by the <strong>${LAYER_LABELS[answer.blockedBy] ?? answer.blockedBy}</strong> layer.
          </p>`
    }
    ${
      statements.length === 0
        ? html`<p class="muted">No statement matched.</p>`
        : html`<table id="sim-statements">
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col">Statement (Sid)</th>
                <th scope="col">Effect</th>
              </tr>
            </thead>
            <tbody>
              ${statements.map(
                (s) =>
                  html`<tr>
                    <td>${s.policy}</td>
                    <td>${s.sid ?? html`<span class="muted">(no Sid)</span>`}</td>
                    <td>${s.effect}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}
