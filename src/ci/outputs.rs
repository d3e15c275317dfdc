//! Report files: `--output FORMAT=FILE` (repeatable) and `--attest OUT`, written atomically as one batch
//! (every file to a temporary file beside its target, flushed and synced, then all renamed into place), so a
//! failure leaves no partial file behind; and the job summary appended to `$GITHUB_STEP_SUMMARY`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::report::OutputFormat;
use crate::sanitize::clean;

/// `--output FORMAT=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: OutputFormat,
    pub path: PathBuf,
}

/// Parse `FORMAT=FILE` (clap's value parser for `--output`).
pub fn parse_output(s: &str) -> Result<OutputSpec, String> {
    let names = || OutputFormat::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, e.g. sarif=closeout.sarif (formats: {})", names()))?;
    let format = OutputFormat::parse(format.trim())
        .ok_or_else(|| format!("unknown format {:?} (formats: {})", clean(format), names()))?;
    if path.is_empty() {
        return Err(format!("no file after {}=", format.name()));
    }
    Ok(OutputSpec { format, path: PathBuf::from(path) })
}

/// One file to write: what it is (for messages), where, and its bytes.
#[derive(Debug, Clone)]
pub struct Pending {
    pub what: String,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

fn shown(p: &Path) -> String {
    clean(&p.display().to_string()).into_owned()
}

/// The path a file resolves to for comparisons: canonical when it exists, else its canonical directory
/// joined with its name.
fn identity(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(dir.canonicalize().ok()?.join(p.file_name()?))
}

/// Check the batch before anything is written: no file named twice, none that is one of `protected` (the
/// evidence, review records, signature and policy files), none whose existing target is not a regular file.
pub fn check_targets(files: &[Pending], protected: &[PathBuf]) -> Result<(), String> {
    let protected: Vec<PathBuf> = protected.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for f in files {
        let name = shown(&f.path);
        if f.path.file_name().is_none() {
            return Err(format!("{name}: not a file name ({} goes to a file)", f.what));
        }
        if let Ok(meta) = std::fs::metadata(&f.path)
            && !meta.is_file()
        {
            return Err(format!("{name}: not a regular file; refusing to write {} there", f.what));
        }
        let Some(id) = identity(&f.path) else {
            return Err(format!("{name}: its directory does not exist (writing {})", f.what));
        };
        if protected.contains(&id) {
            return Err(format!("{name}: refusing to write {} over an input of this run", f.what));
        }
        if let Some((_, other)) = seen.iter().find(|(p, _)| *p == id) {
            return Err(format!("{name}: named for both {other} and {}", f.what));
        }
        seen.push((id, &f.what));
    }
    Ok(())
}

/// Write every file atomically, all or nothing as far as the file system allows: temporary files first (a
/// failure there removes them all and writes nothing), then renames. `Err` is one line for stderr.
pub fn write_batch(files: &[Pending]) -> Result<(), String> {
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |temps: &[PathBuf]| {
        for t in temps {
            let _ = std::fs::remove_file(t);
        }
    };
    for (i, f) in files.iter().enumerate() {
        let dir = f.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.closeout-{}-{i}.tmp", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            temps.push(tmp.clone());
            file.write_all(&f.bytes)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            cleanup(&temps);
            return Err(format!("writing {} to {}: {e}", f.what, shown(&f.path)));
        }
    }
    for (i, (f, tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, &f.path) {
            cleanup(&temps[i..]);
            let done: Vec<String> = files[..i].iter().map(|f| shown(&f.path)).collect();
            let also = if done.is_empty() { String::new() } else { format!(" (already written: {})", done.join(", ")) };
            return Err(format!("writing {} to {}: {e}{also}", f.what, shown(&f.path)));
        }
        if let Some(dir) = f.path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// GitHub's limit on one step's job summary: 1 MiB.
pub const STEP_SUMMARY_LIMIT: u64 = 1 << 20;

const CUT_NOTE: &str = "\n\n> closeout: this summary was cut to fit GitHub's 1 MiB job summary limit; the other \
                        report formats hold all of it.\n";

/// `markdown`, cut at a line boundary so that `already` bytes plus it fit in [`STEP_SUMMARY_LIMIT`] (with a
/// note saying it was cut); `None` when not even the note fits.
pub fn fit_summary(markdown: &str, already: u64) -> Option<String> {
    let room = STEP_SUMMARY_LIMIT.saturating_sub(already) as usize;
    if markdown.len() <= room {
        return Some(markdown.to_string());
    }
    let keep = room.checked_sub(CUT_NOTE.len())?;
    let mut cut = keep.min(markdown.len());
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = markdown[..cut].rfind('\n').map_or(0, |i| i + 1);
    Some(format!("{}{CUT_NOTE}", &markdown[..cut]))
}

/// Append the markdown report to the job summary file (`$GITHUB_STEP_SUMMARY`), within GitHub's limit.
/// `Ok(false)` when the file is already full.
pub fn append_step_summary(path: &Path, markdown: &str) -> Result<bool, String> {
    let name = shown(path);
    let already = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err(format!("{name} ($GITHUB_STEP_SUMMARY): not a regular file")),
        Ok(m) => m.len(),
        Err(_) => 0,
    };
    let Some(text) = fit_summary(markdown, already) else { return Ok(false) };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("writing the job summary to {name} ($GITHUB_STEP_SUMMARY): {e}"))?;
    let mut text = text;
    if already > 0 {
        text.insert(0, '\n');
        if text.len() as u64 + already > STEP_SUMMARY_LIMIT {
            text.remove(0);
        }
    }
    f.write_all(text.as_bytes())
        .and_then(|()| f.flush())
        .map_err(|e| format!("writing the job summary to {name} ($GITHUB_STEP_SUMMARY): {e}"))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs_parse() {
        let s = parse_output("sarif=out/closeout.sarif").unwrap();
        assert_eq!((s.format, s.path), (OutputFormat::Sarif, PathBuf::from("out/closeout.sarif")));
        assert_eq!(parse_output("junit=a=b.xml").unwrap().path, PathBuf::from("a=b.xml"));
        assert!(parse_output("sarif").unwrap_err().contains("FORMAT=FILE"));
        assert!(parse_output("yaml=x").unwrap_err().contains("unknown format \"yaml\""));
        assert!(parse_output("json=").unwrap_err().contains("no file"));
    }

    #[test]
    fn a_summary_is_cut_at_a_line_to_fit_the_limit() {
        let line = "| a | b |\n";
        let big = line.repeat((STEP_SUMMARY_LIMIT as usize / line.len()) + 10);
        let fitted = fit_summary(&big, 0).unwrap();
        assert!(fitted.len() as u64 <= STEP_SUMMARY_LIMIT);
        assert!(fitted.ends_with(CUT_NOTE));
        assert!(fitted[..fitted.len() - CUT_NOTE.len()].ends_with(line));
        let fitted = fit_summary(&big, STEP_SUMMARY_LIMIT - 5000).unwrap();
        assert!(fitted.len() <= 5000);
        assert_eq!(fit_summary("small", 0).as_deref(), Some("small"));
        assert_eq!(fit_summary(&big, STEP_SUMMARY_LIMIT - 10), None);
    }

    #[test]
    fn a_batch_that_cannot_be_written_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("a.json");
        let bad = dir.path().join("missing-dir").join("b.xml");
        let files = vec![
            Pending { what: "the json report".into(), path: ok.clone(), bytes: b"{}".to_vec() },
            Pending { what: "the junit report".into(), path: bad, bytes: b"<x/>".to_vec() },
        ];
        let e = write_batch(&files).unwrap_err();
        assert!(e.starts_with("writing the junit report to "), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file, no temporary file");
        write_batch(&files[..1]).unwrap();
        assert_eq!(std::fs::read(&ok).unwrap(), b"{}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
    }

    #[test]
    fn targets_are_checked_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("store.json");
        std::fs::write(&input, "{}").unwrap();
        let p = |path: PathBuf, what: &str| Pending { what: what.into(), path, bytes: vec![] };
        let e = check_targets(&[p(input.clone(), "the sarif report")], std::slice::from_ref(&input)).unwrap_err();
        assert!(e.contains("refusing to write the sarif report over an input"), "{e}");
        let twice = [p(dir.path().join("x"), "the json report"), p(dir.path().join("./x"), "the junit report")];
        assert!(
            check_targets(&twice, &[]).unwrap_err().contains("named for both the json report and the junit report")
        );
        let e = check_targets(&[p(dir.path().to_path_buf(), "the attestation")], &[]).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        assert!(check_targets(&[p(dir.path().join("new.sarif"), "the sarif report")], &[input]).is_ok());
    }
}
