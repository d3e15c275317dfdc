//! `closeout site OUT/`: the trial as a static tour anyone can open, from any static host or `file://`.
//!
//! One page per embedded sample (a scenario selector on every page), each with the scenario's walkthrough
//! recorded by closeout itself ([`crate::demo`]) and played by asciinema-player with a narration panel that
//! follows the recording's markers, the release criteria computed by closeout beside the evidence's own
//! declared decision, the sample evidence and the reports to download, and the Community boundary summary.
//!
//! [`render`] builds every file in memory from the samples and the player's two files, and is deterministic:
//! the same samples and player give the same bytes. [`write_site`] puts them on disk: into a new directory
//! beside OUT, renamed into place only when every file is written; an OUT that exists must be empty or an
//! earlier closeout site. asciinema-player is a dependency installed from the npm registry (`web/`), never a
//! copy in the repository: [`find_player`] takes its files from `--player DIR`, `$CLOSEOUT_PLAYER_DIR` or
//! `web/node_modules/asciinema-player/dist/bundle`.

mod html;

use std::path::{Path, PathBuf};

use crate::evidence::LoadOptions;
use crate::health::Report;
use crate::samples::{self, Sample};

/// The player's script and stylesheet, as the npm package's `dist/bundle` holds them.
pub const PLAYER_JS: &str = "asciinema-player.min.js";
pub const PLAYER_CSS: &str = "asciinema-player.css";

/// Where `npm ci --prefix web` puts the player's files, relative to the repository.
pub const NPM_BUNDLE: &str = "web/node_modules/asciinema-player/dist/bundle";

/// Largest player file read (the 3.x bundle is about 230 KB).
const MAX_PLAYER_BYTES: u64 = 4 << 20;

/// The file that marks a directory as a site closeout wrote, so a later run may replace it.
pub const MARKER_FILE: &str = ".closeout-site";

/// Terminal size of the recordings.
pub const CAST_SIZE: (u16, u16) = (120, 36);

/// One file of the site: its path relative to OUT (with `/`), and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What [`write_site`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
    pub scenarios: usize,
}

/// The player's files, read.
#[derive(Debug, Clone)]
pub struct Player {
    pub js: Vec<u8>,
    pub css: Vec<u8>,
}

/// The directory holding the player's files: `explicit` (`--player`; the directory itself or a package
/// root with `dist/bundle`), else `$CLOSEOUT_PLAYER_DIR`, else [`NPM_BUNDLE`] under the current directory.
pub fn find_player(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let env = std::env::var_os("CLOSEOUT_PLAYER_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    let (dir, said) = match (explicit, env) {
        (Some(p), _) => (p.to_path_buf(), "--player"),
        (None, Some(p)) => (p, "$CLOSEOUT_PLAYER_DIR"),
        (None, None) => (PathBuf::from(NPM_BUNDLE), "the default"),
    };
    for d in [dir.clone(), dir.join("dist/bundle")] {
        if d.join(PLAYER_JS).is_file() && d.join(PLAYER_CSS).is_file() {
            return Ok(d);
        }
    }
    Err(format!(
        "asciinema-player not found in {} ({said}): it needs {PLAYER_JS} and {PLAYER_CSS}; install it with \
         `npm ci --prefix web` (from the repository) or give --player DIR",
        crate::sanitize::clean(&dir.display().to_string())
    ))
}

/// Read the player's two files from `dir` (regular files only, bounded).
pub fn read_player(dir: &Path) -> Result<Player, String> {
    let read = |name: &str| {
        let p = dir.join(name);
        crate::files::read_regular(&p, MAX_PLAYER_BYTES)
            .map_err(|e| format!("{}: {e}", crate::sanitize::clean(&p.display().to_string())))
    };
    Ok(Player { js: read(PLAYER_JS)?, css: read(PLAYER_CSS)? })
}

/// A scenario as the site shows it: the sample, its evidence evaluated as of its own time, the walkthrough
/// recorded over it.
struct Scenario {
    sample: Sample,
    evidence: crate::evidence::Evidence,
    report: Report,
    walkthrough: crate::walkthrough::Walkthrough,
}

/// The walkthrough a scenario is toured with: the trial walkthrough for the trial package (its node ids
/// are that sample's), the operator runbook (by kind, for any store) otherwise; as `w` picks in the app.
pub fn walkthrough_for(ev: &crate::evidence::Evidence) -> &'static str {
    if ev.model == crate::evidence::Model::TrialPackage { "trial-walkthrough" } else { "operator-runbook" }
}

fn scenario(sample: Sample) -> Result<Scenario, String> {
    let opts = LoadOptions::default();
    let load = || samples::load(&sample.name, &opts).map_err(|e| e.to_string());
    let evidence = load()?;
    let as_of = crate::time::AsOf::sample(
        evidence.default_as_of.ok_or_else(|| format!("sample {} has no as_of", sample.name))?,
    );
    let report = crate::health::evaluate(&evidence, &[], as_of).map_err(|e| e.to_string())?;
    let walkthrough = crate::walkthrough::find(walkthrough_for(&evidence))
        .ok_or_else(|| format!("no walkthrough for sample {}", sample.name))?;
    Ok(Scenario { sample, evidence, report, walkthrough })
}

/// The recording of a scenario's walkthrough: closeout's own demo recorder over the sample, one marker
/// per step.
fn record(s: &Scenario) -> Result<String, String> {
    let tape = crate::demo::tape_text(&s.walkthrough);
    let commands = crate::demo::tape::parse(&tape).map_err(|e| format!("the {} tape: {e}", s.walkthrough.name))?;
    let timeline = crate::demo::tape::timeline(&commands, 1.0, CAST_SIZE);
    // The recorder takes its own evidence: load the sample again (cheap, embedded).
    let ev = samples::load(&s.sample.name, &LoadOptions::default()).map_err(|e| e.to_string())?;
    let report = s.report.clone();
    crate::demo::run::record_demo(ev, report, &s.walkthrough.name, &timeline, CAST_SIZE, false)
        .map_err(|e| format!("recording {}: {e}", s.sample.name))
}

/// The sample's evidence as offered for download: the embedded file, with any secret it carries replaced by
/// CAVRA's own redaction marker (so no secret is on the site) and pretty-printed. Returns the bytes and how
/// many secrets were replaced.
fn evidence_download(sample: &Sample) -> Result<(Vec<u8>, usize), String> {
    let bytes = samples::bytes(sample);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("sample {}: {e}", sample.file))?;
    let (value, replaced) = crate::evidence::value::redact_json(value);
    let mut out = serde_json::to_vec_pretty(&value).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok((out, replaced))
}

/// Every file of the site, in a fixed order.
pub fn render(player: &Player) -> Result<Vec<SiteFile>, String> {
    let scenarios: Vec<Scenario> = samples::all().into_iter().map(scenario).collect::<Result<_, _>>()?;
    let nav: Vec<html::NavItem> = scenarios
        .iter()
        .map(|s| html::NavItem {
            slug: s.sample.name.clone(),
            title: s.sample.title.clone(),
            verdict: s.report.verdict.as_str(),
        })
        .collect();
    let mut files = vec![
        SiteFile { path: MARKER_FILE.into(), bytes: b"closeout site\n".to_vec() },
        SiteFile { path: "index.html".into(), bytes: html::index_page(&nav, &samples::default_name()).into_bytes() },
        SiteFile { path: "assets/site.css".into(), bytes: include_bytes!("site.css").to_vec() },
        SiteFile { path: "assets/site.js".into(), bytes: include_bytes!("site.js").to_vec() },
        SiteFile { path: format!("assets/{PLAYER_JS}"), bytes: player.js.clone() },
        SiteFile { path: format!("assets/{PLAYER_CSS}"), bytes: player.css.clone() },
    ];
    for s in &scenarios {
        let dir = &s.sample.name;
        let cast = record(s)?;
        let (evidence, replaced) = evidence_download(&s.sample)?;
        let json = crate::report::render(
            crate::report::OutputFormat::Json,
            &s.evidence,
            &s.report,
            crate::report::TextStyle::Plain,
        );
        let markdown = crate::report::render(
            crate::report::OutputFormat::Markdown,
            &s.evidence,
            &s.report,
            crate::report::TextStyle::Plain,
        );
        let boundary = crate::tui::state::boundary::BoundaryModel::build(&s.evidence, &s.report);
        let page = html::ScenarioPage {
            nav: &nav,
            sample: &s.sample,
            report: &s.report,
            walkthrough: &s.walkthrough,
            boundary: &boundary,
            redacted_in_download: replaced,
        };
        files.push(SiteFile { path: format!("{dir}/index.html"), bytes: html::scenario_page(&page).into_bytes() });
        files.push(SiteFile {
            path: format!("{dir}/scenario.js"),
            bytes: html::scenario_js(&cast, &s.walkthrough).into_bytes(),
        });
        files.push(SiteFile { path: format!("{dir}/walkthrough.cast"), bytes: cast.into_bytes() });
        files.push(SiteFile { path: format!("{dir}/{}", s.sample.file), bytes: evidence });
        files.push(SiteFile { path: format!("{dir}/report.json"), bytes: json.into_bytes() });
        files.push(SiteFile { path: format!("{dir}/report.md"), bytes: markdown.into_bytes() });
    }
    Ok(files)
}

/// Write `files` as the directory `out`: into a new directory beside it, renamed into place once every file
/// is written and synced. An `out` that exists must be an empty directory or a site closeout wrote (it has
/// [`MARKER_FILE`]); anything else is refused and left as it is.
pub fn write_site(out: &Path, files: &[SiteFile]) -> Result<Written, String> {
    let shown = |p: &Path| crate::sanitize::clean(&p.display().to_string()).into_owned();
    let existing = match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => {
            let mut entries = std::fs::read_dir(out).map_err(|e| format!("{}: {e}", shown(out)))?;
            let empty = entries.next().is_none();
            if !empty && !out.join(MARKER_FILE).is_file() {
                return Err(format!(
                    "{}: the directory is not empty and is not a site closeout wrote (no {MARKER_FILE}): give a \
                     new or empty directory",
                    shown(out)
                ));
            }
            true
        }
        Ok(_) => return Err(format!("{}: exists and is not a directory", shown(out))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(format!("{}: {e}", shown(out))),
    };
    let name = out.file_name().ok_or_else(|| format!("{}: give a directory name", shown(out)))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tag = std::process::id();
    let staging = parent.join(format!(".{}.closeout-new-{tag}", name.to_string_lossy()));
    let old = parent.join(format!(".{}.closeout-old-{tag}", name.to_string_lossy()));
    let result = (|| -> Result<Written, String> {
        std::fs::create_dir(&staging).map_err(|e| format!("{}: {e}", shown(&staging)))?;
        let mut bytes = 0u64;
        for f in files {
            let path = safe_join(&staging, &f.path)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
            }
            write_synced(&path, &f.bytes).map_err(|e| format!("{}: {e}", shown(&out.join(&f.path))))?;
            bytes += f.bytes.len() as u64;
        }
        Ok(Written { files: files.len(), bytes, scenarios: 0 })
    })();
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if existing {
        std::fs::rename(out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staging);
            format!("{}: {e}", shown(out))
        })?;
    }
    if let Err(e) = std::fs::rename(&staging, out) {
        if existing {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!("{}: {e}", shown(out)));
    }
    if existing {
        let _ = std::fs::remove_dir_all(&old);
    }
    let scenarios = files.iter().filter(|f| f.path.ends_with("/scenario.js")).count();
    Ok(Written { scenarios, ..written })
}

/// `rel` under `root`, refusing anything but plain relative components (the site's own paths are fixed; this
/// keeps a sample file name from ever leaving OUT).
fn safe_join(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let mut p = root.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return Err(format!("refusing the site path {:?}", crate::sanitize::clean(rel)));
        }
        p.push(part);
    }
    Ok(p)
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// `closeout site OUT [--player DIR]`: exit 0 when the site was written, 2 (reported) otherwise.
pub fn command(out: &Path, player: Option<&Path>) -> u8 {
    let fail = |e: String| {
        crate::output::note(&format!("closeout: error: site: {e}"));
        crate::output::EXIT_ERROR
    };
    let dir = match find_player(player) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let player = match read_player(&dir) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let files = match render(&player) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    match write_site(out, &files) {
        Ok(w) => {
            crate::output::note(&format!(
                "wrote {} ({} scenarios, {} files, {} KB): open {}",
                crate::sanitize::clean(&out.display().to_string()),
                w.scenarios,
                w.files,
                w.bytes.div_ceil(1024),
                crate::sanitize::clean(&out.join("index.html").display().to_string())
            ));
            0
        }
        Err(e) => fail(e),
    }
}

#[cfg(test)]
mod tests;
