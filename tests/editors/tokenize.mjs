// Tokenises every shipped rule file (rules/**/*.mmr) with the TextMate
// grammar of editors/vscode and checks each token a small mirror of
// grammar/lexer.l finds got the right scope: comments, strings, durations,
// times, percentages, numbers and keywords; and that nothing in the shipped
// rules is scoped invalid. Prints one FAIL line per miss and a summary
// "N passed, N failed" (one check per token).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const grammarPath = path.join(root, 'editors/vscode/syntaxes/mmr.tmLanguage.json');
const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
await oniguruma.loadWASM(wasm);
const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
        createOnigScanner: (p) => new oniguruma.OnigScanner(p),
        createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => scope === 'source.mmr'
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
});
const grammar = await registry.loadGrammar('source.mmr');

// grammar/lexer.l: the hard keywords (the soft ones are also names)
const HARD = new Set(('import signal trait let template rule policy test or and not in between is ' +
    'missing present any all where true false with of over by').split(' '));
// token shapes in the order flex prefers them (longest match, then first rule)
const SHAPES = [
    ['comment', /^#.*/],
    ['string', /^"(?:[^"\\\n]|\\.)*"?/],
    ['bad', /^[0-9][0-9_.]*[A-Za-z_][A-Za-z0-9_]*/],
    ['time', /^[0-9][0-9]?:[0-9][0-9]/],
    ['number', /^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?%?/],
    ['word', /^[A-Za-z_][A-Za-z0-9_]*/],
    ['other', /^(?:==|!=|<=|>=|\?\?|\s+|.)/],
];
function lex(line) {
    const out = [];
    for (let i = 0; i < line.length;) {
        let best = null;
        for (const [kind, re] of SHAPES) {
            const m = re.exec(line.slice(i));
            if (m && m[0].length && (!best || m[0].length > best.text.length)) best = { kind, text: m[0] };
        }
        let kind = best.kind;
        if (kind === 'bad' && /^[0-9]+[smhdw]$/.test(best.text)) kind = 'duration';
        if (kind === 'bad' && /^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?[eE][+-]?[0-9][0-9_]*$/.test(best.text)) kind = 'number';
        if (kind === 'number' && best.text.endsWith('%')) kind = 'percentage';
        if (kind === 'word') kind = HARD.has(best.text) ? 'keyword' : 'name';
        out.push({ kind, start: i, end: i + best.text.length, text: best.text });
        i += best.text.length;
    }
    return out;
}
const WANT = {
    comment: /^comment\.line\.number-sign\.mmr$/,
    string: /^string\.quoted\.double\.mmr$/,
    duration: /^constant\.numeric\.duration\.mmr$/,
    time: /^constant\.numeric\.time\.mmr$/,
    percentage: /^constant\.numeric\.percentage\.mmr$/,
    number: /^constant\.numeric\.mmr$/,
    keyword: /^(keyword|storage\.type|constant\.language)\./,
};

function walk(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.mmr') ? [path.join(dir, e.name)] : []);
}
const files = walk(path.join(root, 'rules')).sort();
let passed = 0, failed = 0;
const seen = {};
for (const file of files) {
    const rel = path.relative(root, file);
    let state = vsctm.INITIAL;
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
        const r = grammar.tokenizeLine(line, state);
        state = r.ruleStack;
        const scopesAt = (col) => r.tokens.find((t) => t.startIndex <= col && col < t.endIndex)?.scopes ?? [];
        for (const t of r.tokens) {
            if (t.scopes.some((s) => s.startsWith('invalid.'))) {
                failed++;
                console.log(`FAIL ${rel}:${n + 1}:${t.startIndex + 1}: ${JSON.stringify(line.slice(t.startIndex, t.endIndex))} scoped ${t.scopes.join(' ')}`);
            }
        }
        for (const tok of lex(line)) {
            const want = WANT[tok.kind];
            if (!want) continue;
            seen[tok.kind] = (seen[tok.kind] ?? 0) + 1;
            // every character of the token carries the scope
            let ok = true;
            for (let c = tok.start; c < tok.end; c++) if (!scopesAt(c).some((s) => want.test(s))) ok = false;
            if (ok) passed++;
            else {
                failed++;
                console.log(`FAIL ${rel}:${n + 1}:${tok.start + 1}: ${tok.kind} ${JSON.stringify(tok.text)} scoped ${scopesAt(tok.start).join(' ')}`);
            }
        }
    });
}
// the shipped rules have every kind, so no check above was vacuous
for (const kind of Object.keys(WANT)) {
    if (seen[kind]) passed++;
    else { failed++; console.log(`FAIL no ${kind} token in rules/**/*.mmr`); }
}
console.log(`grammar on ${files.length} shipped files: ` + Object.keys(WANT).map((k) => `${seen[k] ?? 0} ${k}`).join(', '));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
