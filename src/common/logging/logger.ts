import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger, Params, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import type { LogLevel } from '../../config/app-config';

/** A client's X-Request-Id is kept when it looks like an id; otherwise a UUID is made. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Nest's start-up narration (every module and route, some 80 lines): debug, so the start summary stands out. */
const NARRATION = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Censored wherever a logged object carries them (request headers, key material). */
export const REDACTED = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization', 'headers.cookie',
  'authorization', 'secret', 'apiKey', 'adminKey', 'password', '*.authorization', '*.secret', '*.apiKey', '*.adminKey', '*.password',
];

export interface LogStreams {
  out: DestinationStream;
  err: DestinationStream;
}

type Req = IncomingMessage & { originalUrl?: string };

/** The access line: method, path (no query string), status and milliseconds, with the request id bound. */
const accessLine = (req: Req, res: ServerResponse, val: { responseTime: number }) => ({
  method: req.method,
  path: (req.originalUrl ?? req.url ?? '').split('?')[0],
  status: res.statusCode,
  ms: val.responseTime,
});

/**
 * nestjs-pino's parameters: JSON lines with an ISO `time` and the level's name, errors on
 * stderr and the rest on stdout, secrets censored, and for each request its id (the
 * client's X-Request-Id if well-formed, echoed back) on every line it causes, plus one access
 * line when it is answered (`msg: "request"`).
 */
export function loggerParams(level: LogLevel, streams: LogStreams = { out: process.stdout, err: process.stderr }): Params {
  return {
    pinoHttp: [
      {
        level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACTED, censor: '[redacted]' },
        customAttributeKeys: { reqId: 'requestId' },
        // Lines within a request carry its id, not the whole request; pino-http still binds the
        // request to a child logger, so its serialiser returns nothing rather than copying headers.
        quietReqLogger: true,
        quietResLogger: true,
        wrapSerializers: false,
        serializers: { req: () => undefined, res: () => undefined },
        genReqId: (req, res) => {
          const given = req.headers['x-request-id'];
          const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
          res.setHeader('X-Request-Id', id);
          return id;
        },
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
        customSuccessMessage: () => 'request',
        customErrorMessage: () => 'request',
        customSuccessObject: accessLine,
        customErrorObject: (req, res, _err, val) => accessLine(req, res, val),
      },
      pino.multistream([{ level: 'trace', stream: streams.out }, { level: 'error', stream: streams.err }], { dedupe: true }),
    ],
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    // Fields assigned in a request (the key and organisation, see ApiKeyGuard) are on its access line too.
    assignResponse: true,
  };
}

/** nestjs-pino's Nest logger, with Nest's start-up narration moved to debug. */
@Injectable()
export class AppLogger extends Logger {
  constructor(logger: PinoLogger, @Inject(PARAMS_PROVIDER_TOKEN) params: Params) {
    super(logger, params);
  }

  override log(message: unknown, ...optionalParams: unknown[]) {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && NARRATION.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/**
 * The logger to hand to NestFactory (before the app's own providers exist): lines logged within
 * a request still carry its id, since the request context is nestjs-pino's, not this instance's.
 */
export function createAppLogger(level: LogLevel, streams?: LogStreams): AppLogger {
  const params = loggerParams(level, streams);
  return new AppLogger(new PinoLogger(params), params);
}
