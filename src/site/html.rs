//! The site's pages, as HTML text. Every string that reaches a page goes through [`esc`]: secrets become
//! their redaction markers, control and format characters are neutralised, and HTML's five special
//! characters are escaped, whatever the string's role (evidence text, a walkthrough line, a sample title).

use crate::health::{Report, Status};
use crate::samples::Sample;
use crate::tui::state::boundary::{BoundaryModel, ENTERPRISE_ONLY};
use crate::walkthrough::Walkthrough;

/// CAVRA's documents a tour links to: (title, address).
pub const DOCS: &[(&str, &str)] = &[
    (
        "Release criteria",
        "https://github.com/Huzefaaa2/cavra/blob/main/docs/release-governance-final-closeout-release-criteria.md",
    ),
    ("Trial guide", "https://github.com/Huzefaaa2/cavra/blob/main/docs/enterprise/final-closeout-trial.md"),
    (
        "Trial walkthrough",
        "https://github.com/Huzefaaa2/cavra/blob/main/docs/enterprise/final-closeout-trial-walkthrough.md",
    ),
    (
        "Operator guide",
        "https://github.com/Huzefaaa2/cavra/blob/main/docs/release-governance-final-closeout-operator-guide.md",
    ),
    ("Edition boundaries", "https://github.com/Huzefaaa2/cavra/blob/main/docs/architecture/edition-boundaries.md"),
];

/// Text made safe for an HTML page: redacted, neutralised, escaped.
pub fn esc(s: &str) -> String {
    let safe = crate::text::shown_message(s);
    let mut out = String::with_capacity(safe.len() + 8);
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One scenario in the selector.
pub struct NavItem {
    pub slug: String,
    pub title: String,
    pub verdict: &'static str,
}

/// The verdict as words and a mark that reads without colour.
fn verdict_words(v: &str) -> (&'static str, &'static str) {
    match v {
        "ready_for_release" => ("✓", "ready for release"),
        "ready_with_accepted_risk" => ("⚠", "ready with accepted risk"),
        _ => ("✗", "blocked"),
    }
}

pub(super) fn status_words(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Pass => ("✓", "pass"),
        Status::Warn => ("⚠", "warn"),
        Status::Fail => ("✗", "fail"),
    }
}

fn head(title: &str, prefix: &str, player: bool) -> String {
    let mut h = String::from("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!("<title>{}</title>\n", esc(title)));
    // No favicon to fetch: a static host may have none, and a 404 is noise in the console.
    h.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    if player {
        h.push_str(&format!("<link rel=\"stylesheet\" href=\"{prefix}assets/asciinema-player.css\">\n"));
    }
    h.push_str(&format!("<link rel=\"stylesheet\" href=\"{prefix}assets/site.css\">\n</head>\n<body>\n"));
    h.push_str("<a class=\"skip\" href=\"#main\">Skip to the content</a>\n");
    h
}

/// The scenario selector: a list of links, the current one marked for assistive technology and in text.
fn nav(items: &[NavItem], current: Option<&str>, prefix: &str) -> String {
    let mut n = String::from(
        "<nav class=\"scenarios\" aria-label=\"Scenarios\">\n<h2 id=\"scenarios-h\">Scenarios</h2>\n<ul>\n",
    );
    for it in items {
        n.push_str(&scenario_item(it, prefix, current == Some(it.slug.as_str()), " "));
    }
    n.push_str("</ul>\n</nav>\n");
    n
}

/// One scenario as a list item: its link (marked when it is this page) and its verdict in words.
fn scenario_item(it: &NavItem, prefix: &str, here: bool, gap: &str) -> String {
    let (mark, words) = verdict_words(it.verdict);
    let aria = if here { " aria-current=\"page\"" } else { "" };
    let now = if here { "<span class=\"here\">(this page)</span> " } else { "" };
    format!(
        "<li><a href=\"{prefix}{slug}/index.html\"{aria}>{now}{title}</a>{gap}<span class=\"verdict-tag v-{v}\">{mark} {words}</span></li>\n",
        slug = esc(&it.slug),
        title = esc(&it.title),
        v = esc(it.verdict),
    )
}

fn header(items: &[NavItem], current: Option<&str>, prefix: &str) -> String {
    format!(
        "<header class=\"top\">\n<p class=\"brand\"><a href=\"{prefix}index.html\">closeout</a> · a tour of CAVRA's final \
         closeout evidence</p>\n{}</header>\n",
        nav(items, current, prefix)
    )
}

fn docs_section() -> String {
    let mut s =
        String::from("<section aria-labelledby=\"docs-h\">\n<h2 id=\"docs-h\">Docs</h2>\n<ul class=\"docs\">\n");
    for (title, href) in DOCS {
        s.push_str(&format!("<li><a href=\"{}\">CAVRA: {}</a></li>\n", esc(href), esc(title)));
    }
    s.push_str(
        "</ul>\n<p>Run it yourself: <code>cargo run --release</code> opens closeout on the trial sample; \
         <code>closeout check FILE</code> gates a release in CI.</p>\n</section>\n",
    );
    s
}

fn foot() -> String {
    "<footer><p>Every page here was written by <code>closeout site</code> from closeout's embedded samples: the \
     verdicts are computed, the recordings are closeout's own.</p></footer>\n"
        .into()
}

/// The site's front page: what the tour is, the selector, the docs.
pub fn index_page(items: &[NavItem], default: &str) -> String {
    let mut p = head("closeout: a tour of final closeout evidence", "", false);
    p.push_str(&header(items, None, ""));
    p.push_str("<main id=\"main\">\n<h1>Try closeout without installing anything</h1>\n");
    p.push_str(
        "<p>closeout reads the final closeout evidence CAVRA produces at the end of a governed release and turns it \
         into one verdict: <strong>ready for release</strong>, <strong>ready with accepted risk</strong> or \
         <strong>blocked</strong>. Each scenario below is one embedded sample: watch closeout walk through it, read \
         the criteria it computed, and download the evidence to check it yourself.</p>\n",
    );
    p.push_str(&format!(
        "<p><a class=\"start\" href=\"{}/index.html\">Start with the trial walkthrough</a></p>\n",
        esc(default)
    ));
    p.push_str("<ul class=\"cards\">\n");
    for it in items {
        p.push_str(&scenario_item(it, "", false, "<br>"));
    }
    p.push_str("</ul>\n");
    p.push_str(&docs_section());
    p.push_str("</main>\n");
    p.push_str(&foot());
    p.push_str("</body>\n</html>\n");
    p
}

/// What a scenario page shows.
pub struct ScenarioPage<'a> {
    pub nav: &'a [NavItem],
    pub sample: &'a Sample,
    pub report: &'a Report,
    pub walkthrough: &'a Walkthrough,
    pub boundary: &'a BoundaryModel,
    /// Secrets replaced by CAVRA's marker in the evidence download.
    pub redacted_in_download: usize,
}

fn steps_panel(w: &Walkthrough) -> String {
    let n = w.steps.len();
    let mut s = String::from("<div class=\"narration\">\n");
    s.push_str(
        "<div class=\"controls\" role=\"group\" aria-label=\"Walkthrough steps\">\n\
         <button type=\"button\" id=\"prev-step\">◀ Previous step</button>\n\
         <button type=\"button\" id=\"play\">Play</button>\n\
         <button type=\"button\" id=\"next-step\">Next step ▶</button>\n</div>\n",
    );
    s.push_str(&format!(
        "<p id=\"step-status\" class=\"step-status\" aria-live=\"polite\">{n} steps: press Play, or pick a step.</p>\n"
    ));
    s.push_str("<ol id=\"steps\" class=\"steps\">\n");
    for (i, step) in w.steps.iter().enumerate() {
        s.push_str(&format!(
            "<li id=\"step-{num}\" data-step=\"{i}\">\n<button type=\"button\" class=\"goto\" data-step=\"{i}\">\
             <span class=\"now\" aria-hidden=\"true\">▶ </span>{num}. {title}</button>\n<div class=\"body\">\n<p>{narr}</p>\n",
            num = i + 1,
            title = esc(&step.title),
            narr = esc(&step.narration),
        ));
        if !step.checklist.is_empty() {
            s.push_str("<p class=\"label\">Check:</p>\n<ul class=\"checklist\">\n");
            for c in &step.checklist {
                s.push_str(&format!("<li>{}</li>\n", esc(c)));
            }
            s.push_str("</ul>\n");
        }
        if !step.questions.is_empty() {
            s.push_str("<p class=\"label\">Think about:</p>\n<ul class=\"questions\">\n");
            for q in &step.questions {
                s.push_str(&format!("<li>{}</li>\n", esc(q)));
            }
            s.push_str("</ul>\n");
        }
        s.push_str("</div>\n</li>\n");
    }
    s.push_str("</ol>\n</div>\n");
    s
}

fn criteria_section(r: &Report) -> String {
    let v = r.verdict.as_str();
    let (mark, words) = verdict_words(v);
    let mut s = String::from(
        "<section aria-labelledby=\"criteria-h\">\n<h2 id=\"criteria-h\">Release criteria, computed by closeout</h2>\n",
    );
    s.push_str(&format!(
        "<p class=\"verdict v-{v}\"><strong>Verdict: {mark} {words}</strong> (<code>{v}</code>): {}</p>\n",
        esc(&r.verdict_reason),
        v = esc(v)
    ));
    match &r.evidence_decision {
        Some(d) => {
            let agree = if r.disagreement.is_some() {
                "≠ closeout disagrees with it".to_string()
            } else {
                "= closeout agrees".to_string()
            };
            s.push_str(&format!(
                "<p class=\"declared\">The evidence's own declared decision: <code>{}</code> ({agree}).</p>\n",
                esc(d)
            ));
            if let Some(why) = &r.disagreement {
                s.push_str(&format!("<p class=\"declared\">{}</p>\n", esc(why)));
            }
        }
        None => s.push_str("<p class=\"declared\">The evidence declares no decision of its own.</p>\n"),
    }
    s.push_str(
        "<div class=\"table\"><table>\n<caption>Every criterion, in the order closeout evaluates them</caption>\n\
         <thead><tr><th scope=\"col\">Criterion</th><th scope=\"col\">Status</th><th scope=\"col\">Why</th>\
         <th scope=\"col\">Next step</th></tr></thead>\n<tbody>\n",
    );
    for f in &r.findings {
        let (m, w) = status_words(f.status);
        s.push_str(&format!(
            "<tr class=\"s-{w}\"><th scope=\"row\">{title}<br><code>{id}</code></th><td>{m} {w}</td><td>{reason}</td><td>{next}</td></tr>\n",
            title = esc(f.title),
            id = esc(f.id.as_str()),
            reason = esc(&f.reason),
            next = esc(&f.next_step),
        ));
    }
    s.push_str("</tbody>\n</table></div>\n");
    match &r.acceptance_used {
        Some(a) => {
            let field = |v: &Option<String>| v.as_deref().map(esc).unwrap_or_else(|| "(not given)".into());
            s.push_str(&format!(
                "<p class=\"acceptance\">Acceptance used: owner {}, until {}, reason: {}.</p>\n",
                field(&a.owner),
                field(&a.expires_at),
                field(&a.reason)
            ));
        }
        None => s.push_str("<p class=\"acceptance\">No owner acceptance was used.</p>\n"),
    }
    s.push_str("</section>\n");
    s
}

fn downloads_section(sample: &Sample, redacted: usize) -> String {
    let file = esc(&sample.file);
    let mut s =
        String::from("<section aria-labelledby=\"downloads-h\">\n<h2 id=\"downloads-h\">Downloads</h2>\n<ul>\n");
    s.push_str(&format!("<li><a href=\"{file}\" download>The sample evidence ({file})</a></li>\n"));
    s.push_str("<li><a href=\"report.json\" download>closeout's report as JSON</a></li>\n");
    s.push_str("<li><a href=\"report.md\" download>closeout's report as markdown</a></li>\n");
    s.push_str("<li><a href=\"walkthrough.cast\" download>The recording (asciicast v2)</a></li>\n</ul>\n");
    if redacted > 0 {
        s.push_str(&format!(
            "<p class=\"note\">This sample carries planted secrets. In the download, {redacted} of them are replaced by \
             CAVRA's own redaction marker <code>REDACTED</code>, so no secret leaves this page; the download \
             therefore no longer fails the boundary criterion the way the embedded sample does.</p>\n"
        ));
    }
    s.push_str(&format!(
        "<p>Check it yourself, as of the sample's own time: <code>closeout check {file} --as-of {as_of}</code> \
         (exit 0 ready, 1 blocked, 2 bad input). Without <code>--as-of</code> it is judged as of now, when an \
         acceptance or a retention date may have run out.</p>\n</section>\n",
        as_of = esc(&sample.as_of)
    ));
    s
}

fn boundary_section(b: &BoundaryModel) -> String {
    let mut s = String::from(
        "<section aria-labelledby=\"boundary-h\">\n<h2 id=\"boundary-h\">Community metadata boundary</h2>\n",
    );
    s.push_str(&format!(
        "<p>What Community records in this evidence: {} public metadata fields (ids, hashes, states, counts), {} \
         pointers to systems an operator or Enterprise/SaaS owns (signatures, key ids, archive references), {} \
         boundary controls on {} artifacts, {} values CAVRA redacted itself.</p>\n",
        b.public_fields, b.external_fields, b.controls, b.controls_artifacts, b.cavra_redacted
    ));
    if b.exposed > 0 {
        s.push_str(&format!(
            "<p class=\"exposed\">✗ {} secret(s) were in the clear in this evidence: closeout redacts them everywhere \
             it shows them, and the boundary criterion fails.</p>\n",
            b.exposed
        ));
    }
    if let Some((st, reason)) = &b.finding {
        let (m, w) = status_words(*st);
        s.push_str(&format!("<p>community_boundary: {m} {w}: {}</p>\n", esc(reason)));
    }
    s.push_str(
        "<div class=\"table\"><table>\n<caption>What only Enterprise or SaaS provides, and what Community records \
         instead</caption>\n<thead><tr><th scope=\"col\">Enterprise/SaaS only</th><th scope=\"col\">Community \
         records</th></tr></thead>\n<tbody>\n",
    );
    for (what, instead) in ENTERPRISE_ONLY {
        s.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", esc(what), esc(instead)));
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
    s
}

/// One scenario's page.
pub fn scenario_page(p: &ScenarioPage<'_>) -> String {
    let mut h = head(&format!("closeout tour: {}", p.sample.title), "../", true);
    h.push_str(&header(p.nav, Some(&p.sample.name), "../"));
    h.push_str("<main id=\"main\">\n");
    h.push_str(&format!("<h1>{}</h1>\n<p>{}</p>\n", esc(&p.sample.title), esc(&p.sample.description)));
    h.push_str(&format!(
        "<section aria-labelledby=\"walk-h\">\n<h2 id=\"walk-h\">Walkthrough: {}</h2>\n<div class=\"tour\">\n\
         <div id=\"player\" class=\"player\" role=\"region\" aria-label=\"Recording of closeout walking through this \
         scenario\"></div>\n{}</div>\n<noscript><p>The recording needs JavaScript; the steps above read without \
         it, and the recording can be downloaded below.</p></noscript>\n</section>\n",
        esc(&p.walkthrough.title),
        steps_panel(p.walkthrough)
    ));
    h.push_str(&criteria_section(p.report));
    h.push_str(&downloads_section(p.sample, p.redacted_in_download));
    h.push_str(&boundary_section(p.boundary));
    h.push_str(&docs_section());
    h.push_str("</main>\n");
    h.push_str(&foot());
    h.push_str(
        "<script src=\"../assets/asciinema-player.min.js\"></script>\n<script src=\"scenario.js\"></script>\n\
         <script src=\"../assets/site.js\"></script>\n</body>\n</html>\n",
    );
    h
}

/// The scenario's recording and step titles as a script (`window.CLOSEOUT_TOUR`), so the page works from
/// `file://`, where a page may not fetch files.
pub fn scenario_js(cast: &str, w: &Walkthrough) -> String {
    let titles: Vec<String> = w.steps.iter().map(|s| crate::text::shown_message(&s.title).into_owned()).collect();
    let data = serde_json::json!({ "cast": cast, "steps": titles });
    // `<` escaped: the text stays inert even if someone pastes it into an inline script.
    let json = serde_json::to_string(&data).unwrap_or_default().replace('<', "\\u003c");
    format!("window.CLOSEOUT_TOUR = {json};\n")
}
