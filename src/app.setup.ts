import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from './config/app-config';
import { toErrorResponse } from './common/errors/http-exception.filter';

/**
 * Everything about the HTTP app that is not a module: body limits, body-parser errors, the
 * OpenAPI document. Shared by main.ts and the e2e tests, so both serve the same app.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('query parser', 'extended');
  express.useBodyParser('json', { limit: config.bodyLimit });
  express.useBodyParser('text', { limit: config.bodyLimit, type: ['text/csv', 'text/plain'] });
  // Errors raised by the body parsers happen before Nest's filters see the request.
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
