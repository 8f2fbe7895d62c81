import 'reflect-metadata';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { createAppLogger } from './common/logging/logger';
import { redactUrl } from './common/logging/redact-url';

async function bootstrap() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`spillover: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createAppLogger(config.logLevel);
  const app = await NestFactory.create(AppModule, { logger, bodyParser: false });
  configureApp(app, config);
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  logger.log(
    {
      msg: 'listening',
      dashboard: `${url}/`,
      docs: `${url}/docs`,
      health: `${url}/health/ready`,
      database: config.database.type === 'sqlite' ? `sqlite:${config.database.path}` : redactUrl(config.database.url),
      queue: config.jobs.queue === 'bullmq' ? `bullmq ${config.jobs.queueName} at ${redactUrl(config.jobs.redisUrl)}` : 'in-process',
      workers: config.jobs.queue === 'bullmq' ? 'separate processes (src/jobs/worker.ts)' : `${config.workerThreads ?? availableParallelism()} threads`,
    },
    'main',
  );

  // Graceful stop: refuse new connections, let requests in flight finish, run the modules'
  // shutdown hooks (jobs checkpoint, the database closes), then exit 0.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log({ msg: 'stopping', signal }, 'main');
      const force = setTimeout(() => process.exit(1), 25_000);
      force.unref();
      // Nest's close() runs the modules' destroy hooks (the database closes) before it closes the
      // HTTP server, so requests in flight would meet a closed database: stop HTTP first.
      stopAccepting(app.getHttpServer())
        .then(() => app.close())
        .then(
        () => process.exit(0),
        (err) => {
          logger.error({ msg: 'error while stopping', error: String(err?.message ?? err) }, 'main');
          process.exit(1);
        },
      );
    });
  }
}

/** Stops accepting connections and resolves once every request in flight has been answered. */
function stopAccepting(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections would hold close() open; drop each one as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

bootstrap().catch((err) => {
  process.stderr.write(`spillover: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
