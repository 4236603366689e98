/** The route classes by path: every route, including ones added later, falls in a class. */
import { describe, expect, it } from 'vitest';
import { routeClass } from '../../src/auth/route-class.js';

describe('routeClass', () => {
  it.each([
    ['GET', '/auth/whoami', 'open'],
    ['POST', '/auth/session', 'open'],
    ['DELETE', '/auth/session', 'open'],
    ['GET', '/auth/check', 'open'],
    ['GET', '/health', 'open'],
    ['GET', '/ready/', 'open'],
    ['GET', '/ui', 'open'],
    ['GET', '/ui/jobs/abc', 'open'],
    ['GET', '/ui/assets/app.js', 'open'],
    ['POST', '/ui/x', 'submit'],
    ['POST', '/health', 'submit'],
    ['GET', '/', 'public'],
    ['GET', '/conformance', 'public'],
    ['GET', '/openapi.json', 'public'],
    ['GET', '/processes', 'public'],
    ['GET', '/processes/netcdf-subset', 'public'],
    ['GET', '/boundaries', 'public'],
    ['GET', '/boundaries/ne/DEU', 'public'],
    ['GET', '/datasets/x', 'public'],
    ['GET', '/packages', 'public'],
    ['GET', '/packages/DEU', 'read'],
    ['GET', '/packages/DEU/zip', 'read'],
    ['GET', '/isimip/v2', 'public'],
    ['GET', '/isimip/v2/', 'public'],
    ['GET', '/isimip/v2/abc', 'read'],
    ['GET', '/isimip/v2/output/x.zip', 'read'],
    ['POST', '/isimip/v2', 'submit'],
    ['DELETE', '/isimip/v2/abc', 'submit'],
    ['GET', '/jobs', 'read'],
    ['GET', '/jobs/events', 'read'],
    ['GET', '/jobs/abc/log', 'read'],
    ['GET', '/jobs/abc/results', 'read'],
    ['HEAD', '/jobs/abc/files/a.nc', 'read'],
    ['DELETE', '/jobs/abc', 'submit'],
    ['POST', '/processes/hello-world/execution', 'submit'],
    ['GET', '/data', 'read'],
    ['GET', '/data/info', 'read'],
    ['POST', '/preview/mask', 'read'],
    ['GET', '/admin/stats', 'admin'],
    ['GET', '//admin/stats', 'admin'],
    ['GET', '/admin/', 'admin'],
    ['GET', '/something/new', 'read'],
    ['PATCH', '/something/new', 'submit'],
  ])('%s %s -> %s', (method, path, cls) => {
    expect(routeClass(method, path)).toBe(cls);
  });

  it('GET / is open only when the console answers it', () => {
    expect(routeClass('GET', '/', true)).toBe('open');
    expect(routeClass('POST', '/', true)).toBe('submit');
  });
});
