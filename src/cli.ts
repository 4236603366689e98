/**
 * `subsetd` command line. Exit codes: 0 ok, 1 failure, 2 bad usage or configuration
 * (the message names the bad key).
 */
import { parseArgs } from 'node:util';
import { describeConfig } from './config/load.js';
import { ConfigError, configFrom, UsageError, type Runtime } from './commands/common.js';
import { COMMIT, VERSION } from './version.js';
import { PluginError } from './processes/plugins.js';

/** src/processes/contract.ts as text, put in by the build (docs/plugins.md). */
declare const __SUBSETD_PLUGIN_TYPES__: string | undefined;
const PLUGIN_TYPES = typeof __SUBSETD_PLUGIN_TYPES__ === 'string' ? __SUBSETD_PLUGIN_TYPES__ : '';

const HELP = `subsetd ${VERSION} - cuts geospatial data down to a region (OGC API - Processes)

Usage: subsetd <command> [options]

Commands:
  serve                 HTTP API and workers (default)
  serve --workers 0     HTTP API only
  worker                workers only, no HTTP (Redis mode)
  serve|worker --processes ID[,ID...]   this node's workers run only these processes
  migrate               create or upgrade the job database, then exit
  jobs list [--status S] [--process P] [--limit N] [--json]
  jobs show JOB_ID
  jobs cancel JOB_ID    dismiss a job (a running job is stopped)
  healthcheck [--url U] [--worker]   exit 0 when the node is ready
  backup FILE           online backup of the SQLite job store (safe while serving)
  boundaries import FILE --set NAME --id-field F --name-field F   add a boundary set
  boundaries list       boundary sets in the store
  tokens create --name NAME --scope read|submit|admin [--expires 30d] [--max-queued N] [--max-jobs-per-hour N]
                        new API token (SUBSETD_AUTH=tokens), printed once on the last line
  tokens list [--json]  tokens without their secrets; tokens revoke NAME
  config                print the effective configuration (secrets masked)
  plugin-types          print the processor contract as TypeScript declarations, for plugin authors
  sample-data [DIR] [--force]   write a small sample dataset (NetCDF, GeoTIFF, GeoPackage; default DIR: the data root)
  cache build PATH... [--var NAME] [--memory SIZE]   build the time-series cache of NetCDF files (relative to the data root)
  cache list [--json]   time-series cache entries (source, variable, size, built, hits); cache drop PATH...|--all

Options:
  --env-file PATH       read settings from an env-file (systemd EnvironmentFile syntax)
  --help, --version
`;

export async function run(argv: string[], rt: Runtime): Promise<number> {
  if (argv[0] === 'tokens') return (await import('./commands/tokens.js')).tokensCommand(argv, rt).catch((e) => (e instanceof UsageError || e instanceof ConfigError ? (console.error(`subsetd: ${e.message}`), 2) : Promise.reject(e)));
  if (argv[0] === 'cache') return (await import('./commands/cache.js')).cacheCommand(argv, rt).catch((e) => (e instanceof UsageError || e instanceof ConfigError ? (console.error(`subsetd: ${e.message}`), 2) : Promise.reject(e)));
  if (argv[0] === 'boundaries') return (await import('./commands/boundaries.js')).boundariesCommand(argv, rt).catch((e) => (e instanceof UsageError || e instanceof ConfigError ? (console.error(`subsetd: ${e.message}`), 2) : Promise.reject(e)));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'env-file': { type: 'string' },
        workers: { type: 'string' },
        processes: { type: 'string' },
        status: { type: 'string' },
        process: { type: 'string' },
        limit: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        worker: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    const { versionReport } = await import('./commands/version.js');
    console.log(await versionReport(rt, VERSION, COMMIT));
    return 0;
  }
  const [cmd = 'serve', ...rest] = positionals;
  try {
    switch (cmd) {
      case 'serve':
      case 'worker':
        return await (await import('./commands/serve.js')).serveCommand(values, rt, cmd);
      case 'migrate': {
        const config = configFrom(values);
        const { openStore } = await import('./stores/open-store.js');
        const store = await openStore(config, { nativeBinding: rt.nativeBinding });
        await store.close();
        console.log(`job store (${store.kind}) is up to date`);
        return 0;
      }
      case 'jobs':
        return await (await import('./commands/jobs.js')).jobsCommand(rest, values, rt);
      case 'healthcheck':
        return await (await import('./commands/healthcheck.js')).healthcheckCommand(values, rt);
      case 'backup':
        return await (await import('./commands/backup.js')).backupCommand(rest, values, rt);
      case 'sample-data':
        return await (await import('./commands/sample-data.js')).sampleDataCommand(rest, values);
      case '__gdal-child': return await (await import('./gdal/child-main.js')).gdalChildMain();
      case 'config':
        console.log(describeConfig(configFrom(values)));
        return 0;
      case 'plugin-types':
        process.stdout.write(PLUGIN_TYPES);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`subsetd: configuration error: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`subsetd: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof PluginError) {
      console.error(`subsetd: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
