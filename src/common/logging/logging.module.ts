import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { loggerParams } from './logger';

/** Logs through nestjs-pino (pino-http per request); the parameters are in logger.ts. */
@Module({
  imports: [LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => loggerParams(config.logLevel) })],
})
export class LoggingModule {}
