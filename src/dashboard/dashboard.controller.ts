import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/http/principal';
import { DomainError } from '../common/errors/domain-error';
import { toErrorResponse } from '../common/errors/http-exception.filter';
import { DashboardAssets } from './dashboard.assets';

/**
 * Security headers of the page: every script, style and request stays on this origin (no CDN,
 * no inline script), so a stray string in the data cannot run as code next to the API key.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The policymakers' dashboard: `/` (the page) and `/dashboard/...` (its scripts, styles and the
 * d3-hierarchy browser build). Public, static and read-only: the data comes from the /v1 API with
 * the user's own key. Only files known at start are served; anything else is the JSON 404.
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  @Get()
  @Public()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('dashboard/*path')
  @Public()
  asset(@Req() req: Request, @Res() res: Response): void {
    this.send(res, req.path.slice('/dashboard/'.length));
  }

  private send(res: Response, name: string): void {
    const file = this.assets.find(name);
    if (!file) throw notFoundAsset(name);
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    res.type(file.type);
    res.sendFile(file.path, { lastModified: true, etag: true }, (err) => {
      if (err && !res.headersSent) res.status(404).json(toErrorResponse(notFoundAsset(name)));
    });
  }
}

const notFoundAsset = (name: string) =>
  new DomainError('NOT_FOUND', `no dashboard asset '${name}'`, [{ field: 'path', rule: 'route', message: `no dashboard asset '${name}'` }]);
