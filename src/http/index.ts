export { createHttpApp } from './create-app.js';
export type { HttpAppOptions, RouteMount } from './create-app.js';
export { listen } from './http-server.js';
export type { RunningServer } from './http-server.js';
export { problemFor, toFedgateError, writeProblem } from './problem.js';
export type { ProblemDocument } from './problem.js';
export { requestIdFrom } from './request-id.js';
export type { ReadinessCheck } from './readiness.js';
export { startingHandler } from './starting-handler.js';
