import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { JsonLogger } from './common/logging/json-logger';

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
  const logger = new JsonLogger(config.logLevel);
  const app = await NestFactory.create(AppModule, { logger, bodyParser: false });
  configureApp(app, config);
  await app.listen(config.port);
  logger.log({ msg: 'listening', port: config.port, database: config.database.type, docs: '/docs' }, 'main');
}

bootstrap().catch((err) => {
  process.stderr.write(`spillover: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
