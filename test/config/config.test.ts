import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/config/envfile.js';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/load.js';
import { maskUrl, parseDuration, parseSize } from '../../src/config/parse.js';

describe('config values', () => {
  it('parses durations and sizes with units', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(parseSize('100MB')).toBe(100 * 2 ** 20);
    expect(parseSize('1g')).toBe(2 ** 30);
    expect(() => parseSize('lots')).toThrow(/not a size/);
  });

  it('masks passwords in URLs', () => {
    expect(maskUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(maskUrl('redis://:s3cret@host')).toBe('redis://:***@host');
  });
});

describe('loadConfig', () => {
  it('has embedded defaults and resolves paths', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.stateDir).toMatch(/^\/.*\/var$/);
    expect(c.resultsDir).toBe(`${c.stateDir}/results`);
    expect(c.resultTtl).toBe(7 * 86_400_000);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the bad key', () => {
    expect(() => loadConfig({ SUBSETD_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ SUBSETD_PORT: 'eighty' })).toThrow(/^SUBSETD_PORT: /);
    expect(() => loadConfig({ SUBSETD_PORT: '70000' })).toThrow(/SUBSETD_PORT: 70000 is outside/);
    expect(() => loadConfig({ SUBSETD_JOB_TIMEOUT: 'x' })).toThrow(/SUBSETD_JOB_TIMEOUT/);
    expect(() => loadConfig({ SUBSETD_REDIS_URL: 'http://x' })).toThrow(/SUBSETD_REDIS_URL: .*redis:/);
    expect(() => loadConfig({ SUBSETD_TYPO: '1' })).toThrow(/SUBSETD_TYPO: unknown setting/);
    // The ISIMIP endpoint's limits: isimip-files-api's defaults; a grid size is two whole numbers.
    expect(loadConfig({})).toMatchObject({ isimipMaxFiles: 32, isimipMaxOperations: 4, isimipCdoMaxResolution: [1440, 720], isimipNcksMaxResolution: [43200, 20880] });
    expect(loadConfig({ SUBSETD_ISIMIP_CDO_MAX_RESOLUTION: '720, 360' }).isimipCdoMaxResolution).toEqual([720, 360]);
    expect(() => loadConfig({ SUBSETD_ISIMIP_CDO_MAX_RESOLUTION: '720x360' })).toThrow(/^SUBSETD_ISIMIP_CDO_MAX_RESOLUTION: .*two whole numbers/);
    expect(() => loadConfig({ SUBSETD_ISIMIP_MAX_OPERATIONS: '5' })).toThrow(/^SUBSETD_ISIMIP_MAX_OPERATIONS: 5 is outside/);
  });

  it('reads an env-file in systemd syntax; the environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'subsetd-cfg-'));
    const f = join(dir, 'subsetd.env');
    writeFileSync(f, '# comment\n; also a comment\nSUBSETD_PORT=9090\nSUBSETD_HOST="0.0.0.0"\nSUBSETD_LOG_LEVEL=\'debug\'\nSUBSETD_STATE_DIR=/srv/\\\nsubsetd\n');
    const c = loadConfig({ SUBSETD_LOG_LEVEL: 'warn' }, f);
    expect(c.port).toBe(9090);
    expect(c.host).toBe('0.0.0.0');
    expect(c.logLevel).toBe('warn');
    expect(c.stateDir).toBe('/srv/subsetd');
    expect(() => loadConfig({}, join(dir, 'missing.env'))).toThrow(/--env-file/);
    expect(() => parseEnvFile('JUSTAWORD\n', 'x.env')).toThrow(/x.env:1/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('hides secrets when describing the configuration', () => {
    const text = describeConfig(loadConfig({ SUBSETD_REDIS_URL: 'redis://u:topsecret@h:6379' }));
    expect(text).toContain('SUBSETD_REDIS_URL=redis://u:***@h:6379');
    expect(text).not.toContain('topsecret');
  });

  it('describes structured settings in env-file syntax, so the output can be read back', () => {
    const env = { SUBSETD_CONCURRENCY: 'clip-raster=1, netcdf-subset=2', SUBSETD_METRICS_ADDR: '[::1]:9464', SUBSETD_PROCESSES: 'sleep,hello-world' };
    const text = describeConfig(loadConfig(env));
    expect(text).toContain('SUBSETD_CONCURRENCY=clip-raster=1,netcdf-subset=2');
    expect(text).toContain('SUBSETD_METRICS_ADDR=[::1]:9464');
    expect(text).toContain('SUBSETD_PROCESSES=sleep,hello-world');
    expect(describeConfig(loadConfig({}))).toMatch(/^SUBSETD_METRICS_ADDR=$/m);
    const back = Object.fromEntries(text.split('\n').filter((l) => /^SUBSETD_(CONCURRENCY|METRICS_ADDR)=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(loadConfig(back).concurrency).toEqual({ 'clip-raster': 1, 'netcdf-subset': 2 });
    expect(loadConfig(back).metricsAddr).toEqual({ host: '::1', port: 9464 });
    expect(() => loadConfig({ SUBSETD_CONCURRENCY: 'clip-raster' })).toThrow(/SUBSETD_CONCURRENCY/);
    expect(() => loadConfig({ SUBSETD_METRICS_ADDR: '9464' })).toThrow(/SUBSETD_METRICS_ADDR/);
  });
});
