// The public API of @suanli/server.
export { type AppOptions, createApp, DEFAULT_WEB_DIR } from './app.ts';
export { DEFAULTS, type RunningServer, type ServerOptions, startServer } from './main.ts';
export { systemClock } from './system-clock.ts';
