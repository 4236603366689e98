import { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { HTML_CONFORMANCE, wantsConsole } from '../../console/routes.js';
import { baseUrl, JSON_TYPE, REL } from '../links.js';

// OGC API - Processes 1.0 conformance classes this server implements (Part 1, 7.4).
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss',
  // subscriber URIs in the execute request (src/callbacks, docs/callbacks.md)
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback',
  // Browsers get the console's job and process pages, and every other document as HTML
  // (src/console/html-pages.ts).
  HTML_CONFORMANCE,
];

export const landing = new Hono<AppEnv>()
  .get('/', async (c, next) => {
    // A browser asking for HTML gets the console (src/console/routes.ts, mounted later).
    if (wantsConsole(c)) return next();
    const base = baseUrl(c, c.var.deps.config);
    return c.json({
      title: 'subsetd',
      description: 'Cuts geospatial data (NetCDF, rasters, vectors) down to a region: OGC API - Processes.',
      links: [
        { href: `${base}/`, rel: 'self', type: JSON_TYPE, title: 'This document' },
        { href: `${base}/ui/`, rel: 'alternate', type: 'text/html', title: 'The web console' },
        { href: `${base}/openapi.json`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'The API definition' },
        { href: `${base}/openapi.json?f=html`, rel: 'service-doc', type: 'text/html', title: 'The API definition as a page' },
        { href: `${base}/conformance`, rel: REL.conformance, type: JSON_TYPE, title: 'Conformance classes' },
        { href: `${base}/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'Conformance classes' },
        { href: `${base}/processes`, rel: REL.processes, type: JSON_TYPE, title: 'Processes' },
        { href: `${base}/jobs`, rel: REL.jobList, type: JSON_TYPE, title: 'Jobs' },
      ],
    });
  })
  .get('/conformance', (c) => c.json({ conformsTo: CONFORMANCE }));
