import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/**
 * The request and response classes of a listener whose requests an Express app handles, made so that Express
 * finds each request and response already built on its own prototypes.
 *
 * Express gives every request and response its methods by changing their prototype (`Object.setPrototypeOf` in
 * `app.handle`). On V8 each such change costs more than the call: the objects of that request then outlive the
 * young generation's collections and are promoted, to be found only by a full mark-compact. Measured with a
 * one-route app: about 7 kB promoted per request against none for node:http, five to seven mark-compacts in three
 * seconds, and 25–45 % fewer requests a second (README, Benchmarks). When the listener builds its requests and
 * responses from classes whose prototypes *are* the app's, Express's `setPrototypeOf` finds the prototype it
 * would set and changes nothing.
 *
 * The classes belong to one listener and one app: several gateways in one process (the test suite) each keep
 * their own, so a request's `req.app` (and with it `trust proxy`, behind `req.ip` and `req.protocol`) is always
 * its own gateway's.
 */
export interface ListenerPrototypes {
  readonly IncomingMessage: typeof IncomingMessage;
  readonly ServerResponse: typeof ServerResponse;
  /**
   * Makes `app`'s request and response prototypes this listener's: called once, with the one app the listener's
   * requests go to. Requests answered before it (the starting handler) are plain node:http ones.
   */
  adopt(app: Express): void;
}

/** A fresh pair of classes for one listener (see ListenerPrototypes). */
export function listenerPrototypes(): ListenerPrototypes {
  class ListenerRequest extends IncomingMessage {}
  class ListenerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  let adopted = false;
  return {
    IncomingMessage: ListenerRequest,
    ServerResponse: ListenerResponse,
    adopt(app) {
      if (adopted) throw new Error('a listener serves one Express app');
      adopted = true;
      // Each prototype is changed once here, not once per request: the classes' prototypes now inherit the app's
      // (its own `app` property, then Express's methods, then node:http's), and the app hands out the classes'.
      Object.setPrototypeOf(ListenerRequest.prototype, app.request);
      Object.setPrototypeOf(ListenerResponse.prototype, app.response);
      app.request = ListenerRequest.prototype as Express['request'];
      app.response = ListenerResponse.prototype as Express['response'];
    },
  };
}
