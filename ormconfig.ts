/**
 * The DataSource for the TypeORM CLI (`npm run migration:run`, `npm run migration:generate`),
 * built from the same configuration as the service (DATABASE_URL, default sqlite:data/spillover.sqlite).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/database/data-source-options';

const compiled = __filename.endsWith('.js');
export default new DataSource(
  dataSourceOptions(loadConfig(), [compiled ? `${__dirname}/src/**/*.entity.js` : `${__dirname}/src/**/*.entity.ts`]),
);
