/** The one place the CLI reads the environment. */
export interface CliEnvironment {
  /** Print stack traces for internal errors. */
  readonly debug: boolean;
  /** Show progress bars (stderr is a terminal and NO_COLOR/CI are unset). */
  readonly progress: boolean;
  /** Port for `npm start`'s server (PORT). @default '8080' */
  readonly port: string;
}

export function readEnvironment(): CliEnvironment {
  const env = process.env;
  return {
    debug: env['REPSCOPE_DEBUG'] === '1',
    progress: Boolean(process.stderr.isTTY) && !env['CI'] && env['REPSCOPE_PROGRESS'] !== '0',
    port: env['PORT'] ?? '8080',
  };
}
