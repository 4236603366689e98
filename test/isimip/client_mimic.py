"""Makes the calls the official ISIMIP client and files.isimip.org example scripts make, with the
standard library only (no PyPI here): POST to the base URL without trailing slash, poll job_url
while queued/started, download file_url resuming with Range, and a multipart POST the way
`requests.post(url, files={'data': json.dumps(...), 'mask.nc': bytes})` encodes it.
Usage: client_mimic.py BASE_URL OUT_DIR MASK_NC  -> prints a JSON summary (MASK_NC: a NetCDF mask
on the input grid with a variable `tas`)."""
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path


def send(req):
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def post_json(url, data):
    req = urllib.request.Request(url, data=json.dumps(data).encode(), method='POST',
                                 headers={'Content-Type': 'application/json'})
    return send(req)


def post_files(url, files):
    # requests' encoding of files={name: content}: every part a file part named and filenamed by its key
    boundary = uuid.uuid4().hex
    body = b''
    for name, content in files.items():
        if isinstance(content, str):
            content = content.encode()
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n\r\n').encode()
        body += content + b'\r\n'
    body += f'--{boundary}--\r\n'.encode()
    req = urllib.request.Request(url, data=body, method='POST',
                                 headers={'Content-Type': f'multipart/form-data; boundary={boundary}'})
    return send(req)


def poll(job):
    while job['status'] in ['queued', 'started']:
        time.sleep(0.2)
        status, body = send(urllib.request.Request(job['job_url']))
        job = json.loads(body)
    return job


def download(url, path, interrupt=False):
    # a first, interrupted attempt, then the client's resume: Range from the size on disk
    if interrupt:
        _, body = send(urllib.request.Request(url))
        path.write_bytes(body[:len(body) // 2])
    headers = {'Range': f'bytes={path.stat().st_size}-'} if path.exists() else {}
    status, body = send(urllib.request.Request(url, headers=headers))
    if status != 416:
        assert status in (200, 206), status
        with open(path, 'ab') as fp:
            fp.write(body)
    return status


def main(base, out, mask):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {}
    data = {'paths': ['ISIMIP3b/tas_global_daily_2015.nc'],
            'operations': [{'operation': 'select_point', 'point': [52.380551, 13.064332], 'output_csv': True}]}
    status, body = post_json(base, data)
    job = json.loads(body)
    summary['post_status'] = status
    job = poll(job)
    summary['final_status'] = job['status']
    zip_path = out / job['file_name']
    summary['resume_status'] = download(job['file_url'], zip_path, interrupt=True)
    summary['again_status'] = download(job['file_url'], zip_path)
    with zipfile.ZipFile(zip_path) as z:
        summary['names'] = sorted(z.namelist())
        summary['readme'] = z.read('README.txt').decode()
    mask_data = {'paths': data['paths'], 'operations': [{'operation': 'mask_mask', 'mask': 'mask.nc', 'var': 'tas'}]}
    status, body = post_files(base, {'data': json.dumps(mask_data), 'mask.nc': Path(mask).read_bytes()})
    summary['multipart_status'] = status
    summary['multipart_final'] = poll(json.loads(body))['status']
    print(json.dumps(summary))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3])
