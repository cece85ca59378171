import type { AccessOverview, DayActivity, WhoCanReport } from '../access-analysis/index.js';
import { html, type RawHtml } from './html.js';
import type { PortalPage } from './portal-pages.js';

/** What the who-can form was filled with (echoed back into the form, escaped). */
export interface WhoCanForm {
  readonly action: string;
  readonly resource: string;
  readonly context: string;
}

const STYLE = `
main{max-width:72rem}section{margin:2rem 0}h2{font-size:1.2rem;margin:0 0 .75rem}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem;background:var(--card)}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
.chips{display:flex;flex-wrap:wrap;gap:.25rem;margin:0;padding:0;list-style:none}.chips li{border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;font-size:.8rem}
.unused li{border-style:dashed;color:var(--muted)}.sev{font-weight:700;text-transform:uppercase;font-size:.75rem}
.sev-critical,.sev-high{color:var(--warn)}figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.25rem}
svg.chart{width:100%;height:auto;max-height:12rem;background:var(--card);border:1px solid var(--line);border-radius:.5rem}
.allowed{fill:#2da44e}.denied{fill:#cf222e}.sessions{fill:var(--accent)}.legend{display:flex;gap:1rem;font-size:.85rem;flex-wrap:wrap}
.axis{display:flex;justify-content:space-between;font-size:.75rem;margin:.25rem 0 0}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}input,textarea{font:inherit;width:100%;padding:.4rem;border:1px solid var(--line);border-radius:.375rem;background:var(--card);color:var(--fg)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){main{padding:0 .75rem}th,td{padding:.4rem}}
`;

/**
 * The access-analysis admin page (issue 15): a table per role, a per-day chart (inline SVG, with the same
 * figures as a table for screen readers), the findings and a who-can form. Server-rendered, no script.
 */
export function accessReportPage(options: {
  overview: AccessOverview;
  whoCan?: WhoCanReport | undefined;
  whoCanError?: string | undefined;
  form: WhoCanForm;
}): PortalPage {
  const { overview } = options;
  const window = overview.window;
  return {
    title: 'Access reports',
    style: STYLE,
    body: html`<h1>Access reports</h1>
      <p class="muted">Activity from ${window.from} to ${window.to} (${window.days} days, UTC).</p>
      <form method="get" action="/portal/access" class="actions" aria-label="Report window">
        <label for="days" class="visually-hidden">Days</label>
        <input id="days" name="days" type="number" min="1" value="${window.days}" style="width:6rem" />
        <button type="submit">Show</button>
      </form>
      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Roles table">
          <table id="roles-table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Last assumed</th>
                <th scope="col">Sessions</th>
                <th scope="col">Sessions per day</th>
                <th scope="col">Allowed</th>
                <th scope="col">Denied</th>
                <th scope="col">Actions used</th>
                <th scope="col">Actions unused</th>
              </tr>
            </thead>
            <tbody>
              ${overview.roles.map((row) => {
                const a = row.activity;
                const allowed = a.days.reduce((n, d) => n + d.allowed, 0);
                const denied = a.days.reduce((n, d) => n + d.denied, 0);
                return html`<tr data-role="${a.role}">
                  <th scope="row">${a.role}</th>
                  <td data-field="lastAssumed">
                    ${
                      a.lastAssumed === null
                        ? html`<span class="muted">never</span>`
                        : html`<time datetime="${a.lastAssumed.at}">${readableUtc(a.lastAssumed.at)}</time
                            ><br /><span class="muted"
                              >${a.lastAssumed.provider} · ${a.lastAssumed.subject}</span
                            >`
                    }
                  </td>
                  <td class="num" data-field="sessions">${a.sessions}</td>
                  <td class="num" data-field="sessionsPerDay">${(a.sessions / window.days).toFixed(2)}</td>
                  <td class="num" data-field="allowed">${allowed}</td>
                  <td class="num" data-field="denied">${denied}</td>
                  <td data-field="used">${chips(row.usedActions, '')}</td>
                  <td data-field="unused">${chips(row.unusedActions, 'unused')}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Activity per day</h2>
        <p class="legend" aria-hidden="true">
          <span><span class="swatch" style="background:#2da44e"></span>allowed</span>
          <span><span class="swatch" style="background:#cf222e"></span>denied</span>
          <span><span class="swatch" style="background:var(--accent)"></span>sessions</span>
        </p>
        ${overview.roles.map((row) => dayChart(row.activity.role, row.activity.days))}
      </section>
      <section aria-labelledby="findings-heading">
        <h2 id="findings-heading">Findings</h2>
        ${
          overview.findings.findings.length === 0
            ? html`<p>No findings.</p>`
            : html`<div class="scroll" tabindex="0" role="region" aria-label="Findings table">
                <table id="findings-table">
                  <thead>
                    <tr>
                      <th scope="col">Severity</th>
                      <th scope="col">Finding</th>
                      <th scope="col">Resource</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Suggested fix</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${overview.findings.findings.map(
                      (f) =>
                        html`<tr data-finding="${f.id}">
                          <td><span class="sev sev-${f.severity}">${f.severity}</span></td>
                          <td>${f.type}<br /><code class="muted">${f.id}</code></td>
                          <td class="arn">${f.resource}</td>
                          <td>${f.reason}</td>
                          <td>${f.suggestedFix}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
      </section>
      <section aria-labelledby="who-can-heading">
        <h2 id="who-can-heading">Who can…</h2>
        <form method="get" action="/portal/access#who-can-heading">
          <input type="hidden" name="days" value="${window.days}" />
          <label for="who-action">Action</label>
          <input
            id="who-action"
            name="action"
            required
            value="${options.form.action}"
            placeholder="orders:GetOrder"
          />
          <label for="who-resource">Resource ARN</label>
          <input
            id="who-resource"
            name="resource"
            required
            value="${options.form.resource}"
            placeholder="arn:fedgate:orders:::order/42"
          />
          <label for="who-context">Context (one key=value per line)</label>
          <textarea id="who-context" name="context" rows="3">${options.form.context}</textarea>
          <p><button type="submit">Ask</button></p>
        </form>
        ${options.whoCanError === undefined ? '' : html`<p class="notice" role="alert">${options.whoCanError}</p>`}
        ${options.whoCan === undefined ? '' : whoCanTable(options.whoCan)}
      </section>`,
  };
}

function chips(items: readonly string[], className: string): RawHtml {
  if (items.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="chips ${className}">
    ${items.map((item) => html`<li>${item}</li>`)}
  </ul>`;
}

const BAR_GAP = 2;
const CHART_HEIGHT = 100;

/** A per-day bar chart: allowed stacked on denied, with a thin sessions bar beside; each bar has a title. */
function dayChart(role: string, days: readonly DayActivity[]): RawHtml {
  const slot = 12;
  const width = Math.max(days.length * slot, 120);
  const max = Math.max(1, ...days.map((d) => Math.max(d.allowed + d.denied, d.sessions)));
  const scale = (n: number): number => (n / max) * (CHART_HEIGHT - 10);
  const id = `chart-${role.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const total = days.reduce((n, d) => n + d.allowed + d.denied, 0);
  if (total === 0 && days.every((d) => d.sessions === 0))
    return html`<figure>
      <figcaption id="${id}-title">${role}</figcaption>
      <p class="muted" data-role="${role}">No activity in this window.</p>
    </figure>`;
  return html`<figure>
    <figcaption id="${id}-title">${role}</figcaption>
    <svg
      class="chart"
      data-role="${role}"
      viewBox="0 0 ${width} ${CHART_HEIGHT}"
      preserveAspectRatio="none"
      role="img"
      aria-labelledby="${id}-title ${id}-desc"
    >
      <desc id="${id}-desc">
        ${`${total} decisions over ${days.length} days; figures per day in the table below.`}
      </desc>
      ${days.map((d, i) => {
        const x = i * slot;
        const hAllowed = scale(d.allowed);
        const hDenied = scale(d.denied);
        const hSessions = scale(d.sessions);
        return html`<g
          data-day="${d.day}"
          data-allowed="${d.allowed}"
          data-denied="${d.denied}"
          data-sessions="${d.sessions}"
        >
          <title>${`${d.day}: ${d.allowed} allowed, ${d.denied} denied, ${d.sessions} sessions`}</title>
          <rect
            class="allowed"
            x="${x}"
            y="${CHART_HEIGHT - hAllowed}"
            width="${slot - BAR_GAP - 3}"
            height="${hAllowed}"
          />
          <rect
            class="denied"
            x="${x}"
            y="${CHART_HEIGHT - hAllowed - hDenied}"
            width="${slot - BAR_GAP - 3}"
            height="${hDenied}"
          />
          <rect
            class="sessions"
            x="${x + slot - BAR_GAP - 3}"
            y="${CHART_HEIGHT - hSessions}"
            width="3"
            height="${hSessions}"
          />
        </g>`;
      })}
    </svg>
    <p class="axis muted" aria-hidden="true">
      <span>${days[0]?.day ?? ''}</span><span>${days.at(-1)?.day ?? ''}</span>
    </p>
    <details>
      <summary>Figures for ${role}</summary>
      <div class="scroll" tabindex="0" role="region" aria-label="${`Figures per day for ${role}`}">
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Sessions</th>
              <th scope="col">Allowed</th>
              <th scope="col">Denied</th>
            </tr>
          </thead>
          <tbody>
            ${days
              .filter((d) => d.sessions + d.allowed + d.denied > 0)
              .map(
                (d) =>
                  html`<tr>
                    <th scope="row">${d.day}</th>
                    <td class="num">${d.sessions}</td>
                    <td class="num">${d.allowed}</td>
                    <td class="num">${d.denied}</td>
                  </tr>`,
              )}
          </tbody>
        </table>
      </div>
    </details>
  </figure>`;
}

function whoCanTable(report: WhoCanReport): RawHtml {
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Who-can answer">
    <table id="who-can-table">
      <caption class="visually-hidden">
        Who can ${report.action} on ${report.resource}
      </caption>
      <thead>
        <tr>
          <th scope="col">Role</th>
          <th scope="col">Access</th>
          <th scope="col">Needs context</th>
          <th scope="col">Reached through (trust policy)</th>
        </tr>
      </thead>
      <tbody>
        ${report.roles.map(
          (r) =>
            html`<tr data-role="${r.role}" data-access="${r.access}">
              <th scope="row">${r.role}</th>
              <td>${r.access}</td>
              <td>
                ${
                  r.requiredContext === undefined
                    ? ''
                    : chips(
                        Object.entries(r.requiredContext).map(([k, v]) => `${k}=${v}`),
                        '',
                      )
                }
              </td>
              <td>
                ${
                  r.reachableThrough.length === 0
                    ? html`<span class="muted">nobody (no Allow in the trust policy)</span>`
                    : r.reachableThrough.map(
                        (p) =>
                          html`<p>
                            ${p.identityProviders.length > 0 ? p.identityProviders.join(', ') : p.principals.join(', ')}
                            ${
                              p.subjects.length === 0
                                ? html`<strong>any subject</strong>`
                                : p.subjects.map(
                                    (c) => html`<br />${c.key} ${c.operator} ${c.values.join(', ')}`,
                                  )
                            }
                            ${p.groups.map((c) => html`<br />${c.key} ${c.operator} ${c.values.join(', ')}`)}
                            ${p.conditions.map((c) => html`<br />${c.key} ${c.operator} ${c.values.join(', ')}`)}
                          </p>`,
                      )
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** An ISO instant as a person reads it: `2026-11-30 21:31 UTC` (the exact instant stays in `datetime`). */
function readableUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
