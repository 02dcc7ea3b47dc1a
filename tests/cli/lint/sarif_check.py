#!/usr/bin/env python3
"""Validate a SARIF log against the SARIF 2.1.0 JSON schema and the parts
GitHub code scanning relies on. Usage: sarif_check.py FILE.sarif
Prints "sarif ok: N results" or the problems, exit 1 on any."""
import json, os, sys
import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
schema_path = os.environ.get('SARIF_SCHEMA', os.path.join(here, 'sarif-schema-2.1.0.json'))
with open(schema_path, encoding='utf-8') as f:
    schema = json.load(f)
with open(sys.argv[1], encoding='utf-8') as f:
    log = json.load(f)

problems = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
run = log['runs'][0]
driver = run['tool']['driver']
rules = driver.get('rules', [])
for key in ('name', 'version', 'rules'):
    if key not in driver:
        problems.append('driver has no %s' % key)
for i, r in enumerate(rules):
    for key in ('id', 'name', 'shortDescription', 'fullDescription', 'defaultConfiguration'):
        if key not in r:
            problems.append('rule %d has no %s' % (i, key))
    if 'helpUri' in r and (not r['helpUri'].startswith('https://') or '#mmr-' not in r['helpUri']):
        problems.append('rule %s: helpUri is not an absolute docs anchor' % r.get('id'))
for j, res in enumerate(run.get('results', [])):
    idx = res.get('ruleIndex')
    if idx is None or not (0 <= idx < len(rules)) or rules[idx]['id'] != res.get('ruleId'):
        problems.append('result %d: ruleIndex does not point at ruleId' % j)
    for loc in res.get('locations', []):
        art = loc['physicalLocation']['artifactLocation']
        if art.get('uriBaseId') != '%SRCROOT%' or art['uri'].startswith('/'):
            problems.append('result %d: uri %s is not relative to %%SRCROOT%%' % (j, art['uri']))
        reg = loc['physicalLocation'].get('region', {})
        if reg.get('startLine', 0) < 1:
            problems.append('result %d: no startLine' % j)
if problems:
    for p in problems:
        print('sarif problem:', p)
    sys.exit(1)
print('sarif ok: %d results, %d rules' % (len(run.get('results', [])), len(rules)))
