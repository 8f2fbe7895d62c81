import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, text, type NextFunction, type Request, type Response } from 'express';
import helmet, { HelmetOptions } from 'helmet';
import type { AppConfig } from './config/app-config';
import { toErrorResponse } from './common/errors/http-exception.filter';
import { answerParserErrors, checkBody, checkPathAndQuery, JSON_TYPES, limitJsonDepth, requireBodyType } from './common/http/edge';

/**
 * Headers on every answer: nosniff, no framing, no referrer, and a policy that lets pages run only
 * this origin's scripts (the dashboard sets a stricter one of its own). Swagger UI at /docs needs
 * inline styles and data: images; plain HTTP deployments must not have requests upgraded to HTTPS.
 */
const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
};

/**
 * Everything about the HTTP app that is not a module: security headers, the checks of
 * common/http/edge.ts, body limits, body-parser errors, the OpenAPI document. Shared by main.ts
 * and the e2e tests, so both serve the same app.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('query parser', 'extended');
  answerParserErrors(express.getHttpServer());
  express.use(helmet(SECURITY_HEADERS));
  express.use(requireBodyType);
  express.use(checkPathAndQuery);
  // express's parsers directly: Nest's useBodyParser does not pass a `verify` hook through.
  express.use(json({ limit: config.bodyLimit, type: JSON_TYPES, verify: limitJsonDepth }));
  express.use(text({ limit: config.bodyLimit, type: ['text/csv', 'text/plain'] }));
  express.use(checkBody);
  // Errors raised by the body parsers and the edge checks happen before Nest's filters see the request.
  express.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const body = toErrorResponse(err);
    res.status(body.statusCode).json(body);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Spillover API')
      .setDescription(
        'Collateral-damage assessment of escaped cyber weapons. Every /v1 route needs `Authorization: Bearer <api key>`; ' +
          'errors are `{statusCode, error, message, details: [{field, rule, message}]}`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Spillover API' });
  return app;
}
