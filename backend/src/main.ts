import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppModule } from './app.module';
import { VigilConfig, loadConfig } from './config/vigil-config';

/**
 * Creates the Nest application (HTTP + WebSocket on one port) without listening.
 * The WebSocket adapter's own JSON routing is switched off: gateways read raw frames.
 */
export async function createApp(config: VigilConfig, options: { quiet?: boolean } = {}) {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: options.quiet ? ['error'] : ['log', 'warn', 'error'],
  });
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  return app;
}

async function main(): Promise<void> {
  const logger = new Logger('Vigil');
  let config: VigilConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    logger.error((e as Error).message);
    process.exit(2);
  }
  for (const page of ['frontend-sentinel/index.html', 'frontend-proctor/browser/index.html']) {
    if (!existsSync(path.resolve(config.webDir, page))) {
      logger.warn(`${path.resolve(config.webDir, page)} is missing: run "npm run build" first (pages will answer 404)`);
    }
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  logger.log(`Vigil is up. Proctor portal: ${base}/   Sentinel: ${base}/sentinel/?exam=EXAM&seat=SEAT`);
  logger.log(`Recordings in ${path.resolve(config.dataDir)}`);
}

if (require.main === module) void main();
