"""Drives subsetd with Debian's OWSLib (python3-owslib, owslib.ogcapi.processes.Processes).

Run with the system interpreter: /usr/bin/python3 owslib_client.py URL JOB_ID
  URL     the service's landing page
  JOB_ID  a job the caller created and saw succeed (test/api/owslib.test.ts)

Reads what OWSLib offers for OGC API - Processes: the landing page, conformance(), api() (the
OpenAPI document found through the service-desc link), processes(), process(id), and through its
_request(path) helper the job list, the job's status and its results document. Asserts what a
client relies on, and prints one JSON summary on stdout for the caller to check further.
Exits non-zero (an AssertionError or OWSLib's own exception) when anything is off.
"""

import json
import sys

import owslib
from owslib.ogcapi.processes import Processes

CONF = 'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/'
REL = 'http://www.opengis.net/def/rel/ogc/1.0/'


def main(url: str, job_id: str) -> dict:
    p = Processes(url, timeout=30)

    # Landing page (read by the constructor).
    rels = sorted({link['rel'] for link in p.links})
    for rel in ('self', 'service-desc', REL + 'conformance', REL + 'processes', REL + 'job-list'):
        assert rel in rels, f'landing page has no {rel} link: {rels}'

    conformance = p.conformance()
    conforms_to = conformance['conformsTo']
    for c in ('core', 'ogc-process-description', 'json', 'oas30', 'job-list', 'dismiss'):
        assert CONF + c in conforms_to, f'{c} not declared: {conforms_to}'

    api = p.api()
    assert str(api['openapi']).startswith('3.0'), api.get('openapi')
    assert '/processes' in api['paths'], sorted(api['paths'])

    processes = p.processes()
    ids = [s['id'] for s in processes['processes']]
    assert 'hello-world' in ids and 'netcdf-subset' in ids, ids

    def described(pid: str) -> dict:
        d = p.process(pid)
        assert d['id'] == pid, d.get('id')
        return {
            'id': d['id'],
            'version': d['version'],
            'jobControlOptions': d['jobControlOptions'],
            'inputs': sorted(d['inputs']),
            'outputs': sorted(d['outputs']),
            'execute': [link['href'] for link in d.get('links', []) if link['rel'] == REL + 'execute'],
        }

    hello = described('hello-world')
    netcdf = described('netcdf-subset')

    # No job methods in OWSLib 0.27: its generic GET helper, as a client script would use it.
    jobs = p._request('jobs', kwargs={'limit': 100})
    listed = [j['jobID'] for j in jobs['jobs']]
    assert job_id in listed, f'{job_id} not in {listed}'
    status = p._request(f'jobs/{job_id}')
    assert status['jobID'] == job_id and status['status'] == 'successful', status
    results_links = [link['href'] for link in status['links'] if link['rel'] == REL + 'results']
    assert results_links, status['links']
    results = p._request(f'jobs/{job_id}/results')

    return {
        'owslib': owslib.__version__,
        'landing': {'title': p.response.get('title'), 'rels': rels},
        'conformsTo': conforms_to,
        'openapi': api['openapi'],
        'apiPaths': len(api['paths']),
        'processes': ids,
        'hello': hello,
        'netcdf': netcdf,
        'jobs': {'count': len(listed), 'listed': job_id in listed, 'links': [link['rel'] for link in jobs['links']]},
        'status': {k: status.get(k) for k in ('jobID', 'processID', 'type', 'status', 'progress')},
        'resultsLink': results_links[0],
        'results': results,
        'lastRequest': p.request,
    }


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: owslib_client.py URL JOB_ID')
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
