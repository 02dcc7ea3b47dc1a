#!/usr/bin/env python3
"""Print the results of a SARIF log (stdin) one per line, compactly:
LEVEL RULEID[RULEINDEX] URI:LINE:COL message"""
import json, sys
log = json.load(sys.stdin)
run = log['runs'][0]
for r in run['results']:
    loc = r['locations'][0]['physicalLocation']
    reg = loc.get('region', {})
    art = loc['artifactLocation']
    print('%s %s[%d] %s%s:%s:%s %s' % (r['level'], r['ruleId'], r['ruleIndex'],
          '' if art.get('uriBaseId') == '%SRCROOT%' else '(absolute) ', art['uri'],
          reg.get('startLine'), reg.get('startColumn'), r['message']['text']))
