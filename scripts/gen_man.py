#!/usr/bin/env python3
"""Writes the man pages from the program itself, so they cannot drift:
mmr(1) from `mmr --help`, mmr-COMMAND(1) from `mmr COMMAND --help` (one per
command of `mmr --help`), mmr-language(7) from docs/language.md.

    gen_man.py --mmr build/mmr --version 0.1.0 --language docs/language.md --out DIR

The help texts are plain text laid out for a terminal; this reads their
shape loosely (a "usage:" block, paragraphs, option lines indented with a
dash first) so that a change of wording never breaks the build.
"""
import argparse
import os
import re
import subprocess
import sys


def esc(s):
    """Text for roff: backslashes, then non-ASCII as \\[uXXXX] (no preconv
    needed, no groff warnings), and a leading . or ' made literal."""
    s = s.replace('\\', '\\e')
    s = ''.join(c if ord(c) < 128 else '\\[u%04X]' % ord(c) for c in s)
    s = s.replace('-', '\\-')
    if s[:1] in ('.', "'"):
        s = '\\&' + s
    return s


def help_text(mmr, *args):
    r = subprocess.run([mmr, *args, '--help'], capture_output=True, text=True)
    text = r.stdout if r.stdout.strip() else r.stderr
    if not text.strip():
        sys.exit('gen_man: `%s %s --help` printed nothing' % (mmr, ' '.join(args)))
    return text.rstrip('\n').split('\n')


def commands(lines):
    """(name, summary) pairs from the "commands:" block of `mmr --help`."""
    out, inside = [], False
    for ln in lines:
        if re.match(r'^commands:\s*$', ln):
            inside = True
            continue
        if inside:
            m = re.match(r'^\s+([a-z][a-z0-9_-]*)\s+(.*)$', ln)
            if not m:
                break
            out.append((m.group(1), m.group(2).strip()))
    return out


def paragraphs(lines):
    paras, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln.rstrip())
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def option_list(para):
    """An indented paragraph of "  TERM   description" lines as .TP items;
    None when the paragraph is not shaped like that."""
    if not all(ln.startswith(' ') for ln in para):
        return None
    col = min(len(ln) - len(ln.lstrip()) for ln in para)
    # the description column: where continuation lines start, so that a
    # long term followed by one space ("--busy-timeout MS how long") splits
    deeper = [len(ln) - len(ln.lstrip()) for ln in para if len(ln) - len(ln.lstrip()) > col]
    dcol = min(deeper) if deeper else None
    items = []
    for ln in para:
        ind = len(ln) - len(ln.lstrip())
        body = ln.strip()
        if ind == col:
            m = re.match(r'^(\S(?:.*?\S)?)(?:\s{2,}(.*))?$', body)
            term, desc = m.group(1), m.group(2)
            if desc is None and dcol and len(ln) > dcol and ln[dcol - 1] == ' ' and ln[dcol] != ' ':
                term, desc = ln[:dcol].strip(), ln[dcol:].strip()
            items.append([term, [desc] if desc else []])
        else:
            # a JSON example under an option is kept verbatim
            verbatim = body.startswith('{') or (dcol is not None and ind > dcol)
            items[-1][1].append((' ' if ind > (dcol or 0) else '') + body if verbatim else body)
            if verbatim:
                items[-1][1][-1] = '\0' + items[-1][1][-1]
    if not any(t.startswith('-') for t, _ in items):
        return None
    out = []
    for term, desc in items:
        out += ['.TP', '\\fB%s\\fR' % esc(term)]
        nf = False
        for d in desc:
            v = d.startswith('\0')
            if v != nf:
                out.append('.nf' if v else '.fi')
                nf = v
            out.append(esc(d[1:] if v else d))
        if nf:
            out.append('.fi')
    return out


def help_to_roff(lines):
    """SYNOPSIS lines and DESCRIPTION roff from one --help text."""
    paras = paragraphs(lines)
    synopsis = []
    if paras and paras[0][0].lower().startswith('usage:'):
        synopsis = [re.sub(r'^usage:\s*', '', paras[0][0], flags=re.I)] + \
                   [ln.strip() for ln in paras[0][1:]]
        paras = paras[1:]
    body = []
    for p in paras:
        head = re.match(r'^([A-Za-z][A-Za-z ]*):\s*(.*)$', p[0])
        if head and not p[0].startswith(' ') and (head.group(2) == '' or len(p) == 1 and
                                                  head.group(1).lower() in ('exit status', 'options')):
            body += ['.SS %s' % esc(head.group(1).upper())]
            p = ([head.group(2)] if head.group(2) else []) + p[1:]
            if not p:
                continue
        opts = option_list(p)
        if opts:
            body += opts
        elif all(ln.startswith('  ') for ln in p):
            body += ['.PP', '.nf', '.RS 2'] + [esc(ln[2:]) for ln in p] + ['.RE', '.fi']
        else:
            # prose, with indented runs (JSON examples) kept as they are
            body.append('.PP')
            nf = False
            for ln in p:
                if ln.startswith(' ') != nf:
                    body += ['.RS 2', '.nf'] if not nf else ['.fi', '.RE']
                    nf = not nf
                body.append(esc(ln[2:] if nf else ln.strip()))
            if nf:
                body += ['.fi', '.RE']
    return synopsis, body


def header(name, section, version):
    return ['.\\" Generated by scripts/gen_man.py; edit the --help text instead.',
            '.TH %s %s "" "mmr %s" "mmr manual"' % (esc(name.upper()), section, esc(version)),
            '.ad l', '.nh']


def command_page(mmr, cmd, summary, version):
    syn, body = help_to_roff(help_text(mmr, cmd))
    out = header('mmr-' + cmd, 1, version)
    out += ['.SH NAME', '%s \\- %s' % (esc('mmr-' + cmd), esc(summary))]
    if syn:
        out += ['.SH SYNOPSIS', '.nf'] + [esc(s) for s in syn] + ['.fi']
    out += ['.SH DESCRIPTION'] + body
    out += ['.SH SEE ALSO', '.BR mmr (1),', '.BR mmr\\-language (7)']
    return out


def main_page(mmr, cmds, version):
    lines = help_text(mmr)
    out = header('mmr', 1, version)
    out += ['.SH NAME', 'mmr \\- the MoneyMoments rules engine: .mmr rulesets, checks, tests and the nightly pipeline',
            '.SH SYNOPSIS', '.B mmr', '.I COMMAND', '[\\fIARGS\\fR...]',
            '.SH DESCRIPTION',
            '.PP', 'Each command has its own page, \\fBmmr\\-\\fR\\fICOMMAND\\fR(1), and prints the same text with \\fB\\-\\-help\\fR.',
            '.SH COMMANDS']
    for c, s in cmds:
        out += ['.TP', '.BR mmr\\-%s (1)' % esc(c), esc(s)]
    rest = [ln for ln in lines if not re.match(r'^(usage:|commands:|\s+[a-z][a-z0-9_-]*\s{2,})', ln)]
    _, body = help_to_roff(rest)
    if body:
        out += ['.SH NOTES'] + body
    out += ['.SH FILES', '.TP', '\\fIPREFIX\\fR/share/mmr/std/*.mmr',
            'the standard schemas (\\fBimport "std/NAME"\\fR); the same text is built into the program.',
            '.SH SEE ALSO', '.BR mmr\\-language (7),']
    out += ['.BR mmr\\-%s (1)%s' % (esc(c), ',' if i + 1 < len(cmds) else '') for i, (c, _) in enumerate(cmds)]
    return out


def inline(s):
    """Markdown inline markup to roff: `code`, **bold**, *em*, [text](url)."""
    parts = re.split(r'(`[^`]*`)', s)
    out = ''
    for p in parts:
        if p.startswith('`') and p.endswith('`') and len(p) > 1:
            out += '\\fB' + esc(p[1:-1]) + '\\fR'
            continue
        p = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', p)
        p = esc(p)
        p = re.sub(r'\*\*(.+?)\*\*', r'\\fB\1\\fR', p)
        p = re.sub(r'(?<![\w*])\*(\S.*?)\*(?![\w*])', r'\\fI\1\\fR', p)
        out += p
    if out[:1] in ('.', "'"):
        out = '\\&' + out
    return out


def language_page(md_path, version):
    out = header('mmr-language', 7, version)
    out += ['.SH NAME', 'mmr-language \\- the .mmr rule language of mmr']
    lines = open(md_path, encoding='utf-8').read().split('\n')
    in_code = False
    for ln in lines:
        if ln.startswith('```'):
            out += ['.fi', '.RE'] if in_code else ['.PP', '.RS 4', '.nf']
            in_code = not in_code
            continue
        if in_code:
            out.append(esc(ln) if ln else '')
            continue
        m = re.match(r'^(#+)\s+(.*)$', ln)
        if m:
            level, title = len(m.group(1)), m.group(2)
            if level == 1:
                out += ['.SH DESCRIPTION']
            elif level == 2:
                out += ['.SH %s' % inline(title.upper())]
            else:
                out += ['.SS %s' % inline(title)]
            continue
        if not ln.strip():
            out.append('.PP')
            continue
        if re.match(r'^\|[-| :]+\|\s*$', ln):
            continue
        if ln.startswith('|'):
            cells = [c.strip() for c in ln.strip().strip('|').split('|')]
            out += ['.TP', inline(cells[0]), inline(' \\(em '.join(cells[1:])) if len(cells) > 1 else '']
            continue
        m = re.match(r'^(\s*)([-*]|\d+\.)\s+(.*)$', ln)
        if m:
            out += ['.IP \\(bu 2' if not m.group(2)[0].isdigit() else '.IP %s 4' % m.group(2), inline(m.group(3))]
            continue
        out.append(inline(ln.strip()))
    # .PP runs and a .PP straight after a heading are noise
    clean = []
    for ln in out:
        if ln == '.PP' and clean and (clean[-1] == '.PP' or clean[-1].startswith(('.SH', '.SS', '.TH'))):
            continue
        clean.append(ln)
    clean = [ln.replace('\\ (em', '\\(em') for ln in clean]
    clean += ['.SH SEE ALSO', '.BR mmr (1)']
    return clean


def write(path, lines):
    with open(path, 'w', encoding='ascii') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mmr', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--language', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cmds = commands(help_text(a.mmr))
    if not cmds:
        sys.exit('gen_man: no "commands:" list in `%s --help`' % a.mmr)
    for f in os.listdir(a.out):
        if f.endswith(('.1', '.7')):
            os.remove(os.path.join(a.out, f))
    write(os.path.join(a.out, 'mmr.1'), main_page(a.mmr, cmds, a.version))
    for c, s in cmds:
        write(os.path.join(a.out, 'mmr-%s.1' % c), command_page(a.mmr, c, s, a.version))
    write(os.path.join(a.out, 'mmr-language.7'), language_page(a.language, a.version))


if __name__ == '__main__':
    main()
