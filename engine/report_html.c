/* The HTML page of a run report (engine/report.h): one file with inline
 * CSS and inline SVG charts, no script and nothing fetched, so it opens
 * anywhere (a CI artifact, a mail attachment). Every string taken from the
 * report goes through esc(): rule and category names are user input. */
#include <math.h>
#include <string.h>
#include "engine/report.h"

#define CHART_W   720   /* SVG width */
#define LABEL_W   220   /* the names column */
#define BAR_MAX   (CHART_W - LABEL_W - 70)
#define ROW_H     26

/* s as HTML text or a quoted attribute value */
static void esc(mmr_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': mmr_buf_puts(b, "&amp;"); break;
        case '<': mmr_buf_puts(b, "&lt;"); break;
        case '>': mmr_buf_puts(b, "&gt;"); break;
        case '"': mmr_buf_puts(b, "&quot;"); break;
        case '\'': mmr_buf_puts(b, "&#39;"); break;
        default: mmr_buf_putc(b, *s);
        }
    }
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* a count, or -1 when it is null / absent (unknown) */
static long long cnt(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static void put_count(mmr_buf *b, long long v)
{
    if (v < 0) { mmr_buf_puts(b, "–"); return; }
    char digits[24], out[32];
    int len = snprintf(digits, sizeof digits, "%lld", v), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    mmr_buf_puts(b, out);
}

/* "+3" / "−2" / "±0" against the previous run, nothing when unknown */
static void put_delta(mmr_buf *b, long long now, long long before)
{
    if (now < 0 || before < 0) return;
    long long dlt = now - before;
    mmr_buf_printf(b, " <span class=\"delta %s\">", dlt > 0 ? "up" : dlt < 0 ? "down" : "same");
    if (dlt > 0) mmr_buf_printf(b, "+%lld", dlt);
    else if (dlt < 0) mmr_buf_printf(b, "−%lld", -dlt);
    else mmr_buf_puts(b, "±0");
    mmr_buf_puts(b, "</span>");
}

static double bar_len(long long v, long long max)
{
    if (v <= 0 || max <= 0) return 0;
    double w = (double)v / (double)max * BAR_MAX;
    return w < 2 ? 2 : w;       /* a non-zero count stays visible */
}

/* One segment of a stacked bar. */
typedef struct seg { long long v; const char *cls; } seg;

/* One chart row: label, stacked segments, the previous value as a ghost
 * bar behind them (prev < 0: none), the total at the end. */
static void chart_row(mmr_buf *b, int row, const char *label, const seg *s, int ns,
                      long long prev, long long max)
{
    int y = 8 + row * ROW_H;
    mmr_buf_printf(b, "<g class=\"row\"><text class=\"label\" x=\"%d\" y=\"%d\">", LABEL_W - 8, y + 16);
    esc(b, label);
    mmr_buf_puts(b, "</text>");
    if (prev >= 0)
        mmr_buf_printf(b, "<rect class=\"ghost\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\"><title>previous run: %lld</title></rect>",
                       LABEL_W, y + 1, bar_len(prev, max), prev);
    double x = LABEL_W;
    long long total = 0;
    for (int i = 0; i < ns; i++) {
        double w = bar_len(s[i].v, max);
        if (w > 0)
            mmr_buf_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>%lld</title></rect>",
                           s[i].cls, x, y + 4, w, s[i].v);
        x += w;
        if (s[i].v > 0) total += s[i].v;
    }
    double end = x > LABEL_W + bar_len(prev, max) ? x : LABEL_W + bar_len(prev, max);
    mmr_buf_printf(b, "<text class=\"value\" x=\"%.1f\" y=\"%d\">", end + 6, y + 16);
    put_count(b, ns ? (s[0].v < 0 ? -1 : total) : 0);
    mmr_buf_puts(b, "</text></g>");
}

static void svg_open(mmr_buf *b, int rows, const char *title)
{
    int h = 16 + (rows ? rows : 1) * ROW_H;
    mmr_buf_printf(b, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                      "xmlns=\"http://www.w3.org/2000/svg\"><title>", CHART_W, h, CHART_W, h);
    esc(b, title);
    mmr_buf_puts(b, "</title>");
}

static const char *const css =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;background:#fff;margin:24px auto;max-width:960px;padding:0 16px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e3e6ee;padding-bottom:4px}"
    ".meta{color:#5b6478}.meta code{background:#f2f4f8;padding:1px 4px;border-radius:3px}"
    ".badge{display:inline-block;background:#fff3cd;color:#7a5a00;border-radius:4px;padding:1px 8px;font-weight:600}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}"
    ".card{border:1px solid #e3e6ee;border-radius:8px;padding:10px 14px;min-width:110px}"
    ".card .n{font-size:22px;font-weight:600}.card .k{color:#5b6478;font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
    ".delta{font-size:12px;font-weight:600;margin-left:4px}.up{color:#1a7f37}.down{color:#b42318}.same{color:#5b6478}"
    "svg.chart{display:block;max-width:100%;height:auto}svg text{font-size:12px;fill:#1d2330}"
    "svg .label{text-anchor:end}svg .value{fill:#5b6478}"
    "svg .ghost{fill:none;stroke:#9aa3b5;stroke-dasharray:4 3;stroke-width:1.2}"
    "svg .all{fill:#4f6bed}svg .delivered{fill:#2e9e5b}svg .suppressed{fill:#e8833a}svg .deferred{fill:#8e6cd8}"
    ".legend span{display:inline-block;margin-right:14px;color:#5b6478;font-size:12px}"
    ".legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}"
    "table{border-collapse:collapse;width:100%;margin-top:8px;font-size:13px}"
    "th,td{text-align:right;padding:4px 8px;border-bottom:1px solid #eef0f5}th:first-child,td:first-child{text-align:left}"
    "th{color:#5b6478;font-weight:600}td.name{font-family:ui-monospace,monospace}"
    ".note{color:#5b6478;font-size:12px}";

static void legend(mmr_buf *b, int ghost)
{
    mmr_buf_puts(b, "<p class=\"legend\"><span><i style=\"background:#2e9e5b\"></i>delivered</span>"
                    "<span><i style=\"background:#e8833a\"></i>suppressed</span>"
                    "<span><i style=\"background:#8e6cd8\"></i>deferred</span>");
    if (ghost) mmr_buf_puts(b, "<span><i style=\"border:1px dashed #9aa3b5\"></i>previous run</span>");
    mmr_buf_puts(b, "</p>");
}

static void card(mmr_buf *b, const char *k, long long v, long long prev)
{
    mmr_buf_puts(b, "<div class=\"card\"><div class=\"k\">");
    esc(b, k);
    mmr_buf_puts(b, "</div><div class=\"n\">");
    put_count(b, v);
    put_delta(b, v, prev);
    mmr_buf_puts(b, "</div></div>");
}

static void funnel_section(mmr_buf *b, const json_t *f, const json_t *pf)
{
    static const struct { const char *key, *label, *cls; } rows[] = {
        { "users", "users", "all" },
        { "users_with_candidates", "users with candidates", "all" },
        { "candidates", "candidates", "all" },
        { "delivered", "delivered", "delivered" },
        { "suppressed", "suppressed", "suppressed" },
        { "deferred", "deferred", "deferred" },
    };
    const int n = (int)(sizeof rows / sizeof rows[0]);
    long long max = 1;
    for (int i = 0; i < n; i++) {
        if (cnt(f, rows[i].key) > max) max = cnt(f, rows[i].key);
        if (pf && cnt(pf, rows[i].key) > max) max = cnt(pf, rows[i].key);
    }
    mmr_buf_puts(b, "<h2>Funnel</h2>");
    svg_open(b, n, "funnel: users, candidates, delivered, suppressed, deferred");
    for (int i = 0; i < n; i++) {
        seg s = { cnt(f, rows[i].key), rows[i].cls };
        chart_row(b, i, rows[i].label, &s, 1, pf ? cnt(pf, rows[i].key) : -1, max);
    }
    mmr_buf_puts(b, "</svg>");

    const json_t *by = json_object_get(f, "suppressed_by_reason");
    const json_t *pby = pf ? json_object_get(pf, "suppressed_by_reason") : NULL;
    mmr_buf_puts(b, "<h2>Suppressed, by reason</h2>");
    max = 1;
    int nr = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)by, k, v) {
        if (cnt(by, k) > max) max = cnt(by, k);
        if (pby && cnt(pby, k) > max) max = cnt(pby, k);
        nr++;
    }
    svg_open(b, nr, "suppressed candidates by reason");
    int i = 0;
    json_object_foreach((json_t *)by, k, v) {
        seg s = { cnt(by, k), "suppressed" };
        chart_row(b, i++, k, &s, 1, pby ? cnt(pby, k) : -1, max);
    }
    mmr_buf_puts(b, "</svg>");
}

/* The rules or the categories: a stacked chart and a table. */
static void breakdown_section(mmr_buf *b, const json_t *items, const char *title, const char *key, int has_prev)
{
    size_t n = json_array_size(items);
    mmr_buf_puts(b, "<h2>");
    esc(b, title);
    mmr_buf_puts(b, "</h2>");
    long long max = 1;
    int known = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(items, i), *c = json_object_get(it, "counts"), *p = json_object_get(it, "previous");
        if (json_is_object(c)) known = 1;
        if (cnt(c, "candidates") > max) max = cnt(c, "candidates");
        if (cnt(p, "candidates") > max) max = cnt(p, "candidates");
    }
    if (!known) mmr_buf_puts(b, "<p class=\"note\">A dry run stores no candidates: no counts per rule.</p>");
    legend(b, has_prev);
    svg_open(b, (int)n, title);
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(items, i), *c = json_object_get(it, "counts"), *p = json_object_get(it, "previous");
        seg s[3] = { { cnt(c, "delivered"), "delivered" }, { cnt(c, "suppressed"), "suppressed" },
                     { cnt(c, "deferred"), "deferred" } };
        chart_row(b, (int)i, str(it, key), s, 3, json_is_object(p) ? cnt(p, "candidates") : -1, max);
    }
    mmr_buf_puts(b, "</svg><table><thead><tr><th>");
    esc(b, key);
    mmr_buf_puts(b, "</th>");
    if (!strcmp(key, "rule")) mmr_buf_puts(b, "<th>category</th>");
    mmr_buf_puts(b, "<th>candidates</th><th>delivered</th><th>suppressed</th><th>deferred</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(items, i), *c = json_object_get(it, "counts"), *p = json_object_get(it, "previous");
        mmr_buf_puts(b, "<tr><td class=\"name\">");
        esc(b, str(it, key));
        mmr_buf_puts(b, "</td>");
        if (!strcmp(key, "rule")) { mmr_buf_puts(b, "<td>"); esc(b, str(it, "category")); mmr_buf_puts(b, "</td>"); }
        static const char *const cols[] = { "candidates", "delivered", "suppressed", "deferred" };
        for (int k = 0; k < 4; k++) {
            mmr_buf_puts(b, "<td>");
            put_count(b, cnt(c, cols[k]));
            put_delta(b, cnt(c, cols[k]), json_is_object(p) ? cnt(p, cols[k]) : -1);
            mmr_buf_puts(b, "</td>");
        }
        mmr_buf_puts(b, "</tr>");
    }
    mmr_buf_puts(b, "</tbody></table>");
}

void mmr_report_html(const json_t *r, mmr_buf *b)
{
    const json_t *run = json_object_get(r, "run"), *f = json_object_get(r, "funnel");
    const json_t *prev = json_object_get(r, "previous");
    const json_t *pf = json_is_object(prev) ? json_object_get(prev, "funnel") : NULL;
    const json_t *t = json_object_get(r, "timings"), *ev = json_object_get(r, "events");
    int dry = json_is_true(json_object_get(r, "dry_run"));

    mmr_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                    "<title>mmr run ");
    esc(b, str(run, "as_of"));
    mmr_buf_puts(b, "</title><style>");
    mmr_buf_puts(b, css);
    mmr_buf_puts(b, "</style></head><body>\n<h1>mmr run ");
    esc(b, str(run, "as_of"));
    if (dry) mmr_buf_puts(b, " <span class=\"badge\">dry run: nothing written</span>");
    mmr_buf_puts(b, "</h1><p class=\"meta\">ruleset <code>");
    esc(b, str(r, "ruleset"));
    mmr_buf_puts(b, "</code> (");
    esc(b, str(r, "ruleset_hash"));
    mmr_buf_puts(b, ") · database <code>");
    esc(b, str(r, "database"));
    mmr_buf_puts(b, "</code> · now ");
    esc(b, str(run, "now"));
    if (cnt(run, "run_id") >= 0) mmr_buf_printf(b, " · run %lld", cnt(run, "run_id"));
    mmr_buf_puts(b, "<br>");
    if (pf) {
        mmr_buf_printf(b, "compared with run %lld of the same ruleset (as_of ", cnt(prev, "run_id"));
        esc(b, str(prev, "as_of"));
        mmr_buf_puts(b, ", now ");
        esc(b, str(prev, "now"));
        mmr_buf_puts(b, "): differences in colour, the previous run as dashed bars");
    } else {
        mmr_buf_puts(b, "no earlier run of this ruleset to compare with");
    }
    mmr_buf_puts(b, "</p>\n<div class=\"cards\">");
    card(b, "users", cnt(f, "users"), pf ? cnt(pf, "users") : -1);
    card(b, "candidates", cnt(f, "candidates"), pf ? cnt(pf, "candidates") : -1);
    card(b, "delivered", cnt(f, "delivered"), pf ? cnt(pf, "delivered") : -1);
    card(b, "suppressed", cnt(f, "suppressed"), pf ? cnt(pf, "suppressed") : -1);
    card(b, "deferred", cnt(f, "deferred"), pf ? cnt(pf, "deferred") : -1);
    mmr_buf_puts(b, "</div>\n");
    if (cnt(f, "already_stored") > 0) {
        mmr_buf_puts(b, "<p class=\"note\">");
        put_count(b, cnt(f, "already_stored"));
        mmr_buf_puts(b, " candidates were already stored by an earlier run of this date (not counted again).</p>");
    }
    funnel_section(b, f, pf);
    breakdown_section(b, json_object_get(r, "rules"), "Rules", "rule", pf != NULL);
    breakdown_section(b, json_object_get(r, "categories"), "Categories", "category", pf != NULL);

    mmr_buf_puts(b, "<h2>Events and timings</h2><table><tbody>");
    mmr_buf_puts(b, "<tr><td>events written</td><td>");
    put_count(b, cnt(ev, "written"));
    mmr_buf_puts(b, "</td></tr><tr><td>published to Redis</td><td>");
    put_count(b, cnt(ev, "published_to_redis"));
    mmr_buf_puts(b, "</td></tr><tr><td>pending in the outbox</td><td>");
    put_count(b, cnt(ev, "pending"));
    mmr_buf_puts(b, "</td></tr><tr><td>deferrals released at the start</td><td>");
    put_count(b, cnt(f, "released"));
    mmr_buf_puts(b, " delivered, ");
    put_count(b, cnt(f, "release_suppressed"));
    mmr_buf_puts(b, " suppressed</td></tr>");
    double el = json_number_value(json_object_get(t, "elapsed_s"));
    const json_t *ups = json_object_get(t, "users_per_s");
    mmr_buf_printf(b, "<tr><td>elapsed</td><td>%.3f s</td></tr>", el);
    if (json_is_number(ups) && isfinite(json_number_value(ups)))
        mmr_buf_printf(b, "<tr><td>throughput</td><td>%.0f users/s</td></tr>", json_number_value(ups));
    mmr_buf_puts(b, "</tbody></table>\n<p class=\"note\">Written by <code>mmr run --report</code>; the same data as JSON: "
                    "<code>--report FILE.json</code> (docs/report.md).</p>\n</body></html>\n");
}
