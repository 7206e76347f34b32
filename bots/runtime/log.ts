import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths pino blanks out wherever they occur one level down (`{slack: {token}}`, `{headers: {authorization}}`). */
export const REDACTED = ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.password', '*.authorization'];

/**
 * The app's logger: JSON lines on standard error (standard output belongs to the CLI's answers), level
 * from `LOG_LEVEL`. Message texts are personal data: log them at debug level at most.
 */
export function appLogger(level = 'warn', destination: DestinationStream = pino.destination(2)): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? level, redact: REDACTED }, destination);
}
