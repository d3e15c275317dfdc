use super::*;

/// Stand-ins for the player's two files: the unit tests check the site's own files; tests/site.rs runs the
/// real player in a real browser.
fn player() -> Player {
    Player { js: b"/* player script */\n".to_vec(), css: b"/* player css */\n".to_vec() }
}

fn site() -> Vec<SiteFile> {
    render(&player()).expect("the site renders")
}

fn file<'a>(files: &'a [SiteFile], path: &str) -> &'a str {
    let f = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path} in the site"));
    std::str::from_utf8(&f.bytes).expect("text")
}

/// The strings of a JSON value that [`crate::evidence::value::redact_json`] replaces: the planted secrets.
fn secrets_in(v: &serde_json::Value) -> Vec<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        match (a, b) {
            (serde_json::Value::String(x), serde_json::Value::String(y)) if x != y => out.push(x.clone()),
            (serde_json::Value::Number(x), serde_json::Value::String(_)) => out.push(x.to_string()),
            (serde_json::Value::Array(x), serde_json::Value::Array(y)) => {
                x.iter().zip(y).for_each(|(x, y)| walk(x, y, out));
            }
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                    if kx != ky {
                        out.push(kx.clone());
                    }
                    walk(vx, vy, out);
                }
            }
            _ => {}
        }
    }
    let (redacted, _) = crate::evidence::value::redact_json(v.clone());
    let mut out = Vec::new();
    walk(v, &redacted, &mut out);
    out
}

#[test]
fn site_has_a_page_recording_and_downloads_for_every_sample() {
    let files = site();
    let index = file(&files, "index.html");
    for s in samples::all() {
        assert!(index.contains(&format!("href=\"{}/index.html\"", s.name)), "index links {}", s.name);
        let page = file(&files, &format!("{}/index.html", s.name));
        // Every page carries the whole selector, its own entry marked current.
        for other in samples::all() {
            assert!(page.contains(&format!("href=\"../{}/index.html\"", other.name)), "{}: selector", s.name);
        }
        assert_eq!(page.matches("aria-current=\"page\"").count(), 1, "{}", s.name);
        for f in ["scenario.js", "walkthrough.cast", "report.json", "report.md", s.file.as_str()] {
            assert!(files.iter().any(|x| x.path == format!("{}/{f}", s.name)), "{}/{f}", s.name);
            assert!(f == "scenario.js" || page.contains(&format!("href=\"{f}\" download")), "{}: link to {f}", s.name);
        }
    }
}

#[test]
fn site_narration_has_one_step_per_recording_marker() {
    let files = site();
    for s in samples::all() {
        let ev = samples::load(&s.name, &LoadOptions::default()).unwrap();
        let w = crate::walkthrough::find(walkthrough_for(&ev)).unwrap();
        let page = file(&files, &format!("{}/index.html", s.name));
        let cast = file(&files, &format!("{}/walkthrough.cast", s.name));
        let markers: Vec<String> = cast
            .lines()
            .skip(1)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e[1] == "m")
            .map(|e| e[2].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(markers.len(), w.steps.len(), "{}: one marker per step", s.name);
        for (i, (m, step)) in markers.iter().zip(&w.steps).enumerate() {
            assert_eq!(m, &format!("{}. {}", i + 1, step.title), "{}: marker {i}", s.name);
            assert!(page.contains(&format!("id=\"step-{}\"", i + 1)), "{}: step {}", s.name, i + 1);
        }
        assert!(!page.contains(&format!("id=\"step-{}\"", w.steps.len() + 1)), "{}: no extra step", s.name);
        // The script data carries the same recording the download does.
        let js = file(&files, &format!("{}/scenario.js", s.name));
        let json = js.trim().strip_prefix("window.CLOSEOUT_TOUR = ").and_then(|j| j.strip_suffix(';')).unwrap();
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(data["cast"].as_str(), Some(cast), "{}", s.name);
        assert_eq!(data["steps"].as_array().map(Vec::len), Some(w.steps.len()));
    }
}

#[test]
fn site_criteria_summary_is_the_computed_report() {
    let files = site();
    for s in samples::all() {
        let ev = samples::load(&s.name, &LoadOptions::default()).unwrap();
        let report = crate::health::evaluate(&ev, &[], crate::time::AsOf::sample(ev.default_as_of.unwrap())).unwrap();
        let page = file(&files, &format!("{}/index.html", s.name));
        assert!(page.contains(&format!("(<code>{}</code>)", report.verdict.as_str())), "{}: verdict", s.name);
        assert_eq!(report.verdict.as_str(), s.expected_verdict, "{}: the sample's expected verdict", s.name);
        for f in &report.findings {
            let row = format!("<code>{}</code></th><td>", f.id.as_str());
            let at = page.find(&row).unwrap_or_else(|| panic!("{}: row {}", s.name, f.id.as_str()));
            let (mark, word) = html::status_words(f.status);
            assert!(page[at + row.len()..].starts_with(&format!("{mark} {word}")), "{}: {}", s.name, f.id.as_str());
        }
        let declared = page.contains("The evidence's own declared decision");
        assert_eq!(declared, report.evidence_decision.is_some(), "{}", s.name);
        let json: serde_json::Value = serde_json::from_str(file(&files, &format!("{}/report.json", s.name))).unwrap();
        assert_eq!(json["verdict"], report.verdict.as_str(), "{}: report.json", s.name);
    }
}

/// The same samples give the same files. (The JSON report's `generation` counts the loads of the process,
/// which other tests share; tests/site.rs compares two whole `closeout site` runs byte for byte.)
#[test]
fn site_is_the_same_bytes_every_time() {
    let strip = |files: Vec<SiteFile>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .map(|f| {
                if f.path.ends_with("report.json") {
                    let mut v: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
                    v.as_object_mut().unwrap().remove("generation");
                    (f.path, serde_json::to_vec(&v).unwrap())
                } else {
                    (f.path, f.bytes)
                }
            })
            .collect()
    };
    let (a, b) = (strip(site()), strip(site()));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "{} differs between two renders", x.0);
    }
}

#[test]
fn site_carries_no_planted_secret_and_its_evidence_loads_clean() {
    let files = site();
    let mut planted = 0;
    for s in samples::all() {
        let original: serde_json::Value = serde_json::from_slice(samples::bytes(&s)).unwrap();
        let secrets = secrets_in(&original);
        planted += secrets.len();
        for secret in secrets.iter().filter(|x| x.len() >= 8) {
            for f in &files {
                let text = String::from_utf8_lossy(&f.bytes);
                assert!(!text.contains(secret.as_str()), "{}: a planted secret of {} is in {}", secret, s.name, f.path);
            }
        }
        let download = files.iter().find(|f| f.path == format!("{}/{}", s.name, s.file)).unwrap();
        let ev = crate::evidence::load_bytes(&s.file, download.bytes.clone(), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{}: the download loads: {e}", s.name));
        let exposed = ev.redactions.iter().filter(|r| r.by == crate::evidence::RedactedBy::Closeout).count();
        assert_eq!(exposed, 0, "{}: nothing left in the clear", s.name);
    }
    assert!(planted > 0, "the samples plant at least one secret (leaked-connector-secret)");
}

#[test]
fn site_text_is_escaped_and_redacted() {
    assert_eq!(
        html::esc("<script>\"a\" & 'b'</script>"),
        "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
    );
    let token = crate::evidence::secrets::sample_matching("ghp_[A-Za-z0-9]{36}", 7);
    let shown = html::esc(&format!("token {token} here"));
    assert!(!shown.contains(&token) && shown.contains("REDACTED"), "{shown}");
    assert!(!html::esc("a\u{1b}[31mred").contains('\u{1b}'));
}

#[test]
fn site_is_written_whole_and_only_over_an_empty_directory_or_an_earlier_site() {
    let files = vec![
        SiteFile { path: MARKER_FILE.into(), bytes: b"closeout site\n".to_vec() },
        SiteFile { path: "a/b.txt".into(), bytes: b"one".to_vec() },
    ];
    let tmp = std::env::temp_dir().join(format!("closeout-site-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let out = tmp.join("site");
    let w = write_site(&out, &files).unwrap();
    assert_eq!((w.files, w.bytes), (2, 17));
    assert_eq!(std::fs::read(out.join("a/b.txt")).unwrap(), b"one");
    // An earlier site is replaced whole: its stale files go.
    std::fs::write(out.join("stale.txt"), "x").unwrap();
    write_site(&out, &files).unwrap();
    assert!(!out.join("stale.txt").exists());
    // A directory that is neither empty nor a site is refused and left alone.
    let other = tmp.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.json"), "{}").unwrap();
    let e = write_site(&other, &files).unwrap_err();
    assert!(e.contains("not empty"), "{e}");
    assert_eq!(std::fs::read_to_string(other.join("keep.json")).unwrap(), "{}");
    // A file is refused.
    assert!(write_site(&other.join("keep.json"), &files).unwrap_err().contains("not a directory"));
    // A path that climbs out of OUT is refused, and nothing is left behind.
    let bad = vec![SiteFile { path: "../escape.txt".into(), bytes: b"x".to_vec() }];
    assert!(write_site(&tmp.join("new"), &bad).is_err());
    assert!(!tmp.join("escape.txt").exists() && !tmp.join("new").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("closeout-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn site_player_is_found_or_the_error_says_how_to_install_it() {
    let tmp = std::env::temp_dir().join(format!("closeout-player-test-{}", std::process::id()));
    let bundle = tmp.join("dist/bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    let e = find_player(Some(&tmp)).unwrap_err();
    assert!(e.contains("npm ci --prefix web") && e.contains("--player"), "{e}");
    std::fs::write(bundle.join(PLAYER_JS), "js").unwrap();
    std::fs::write(bundle.join(PLAYER_CSS), "css").unwrap();
    assert_eq!(find_player(Some(&tmp)).unwrap(), bundle);
    assert_eq!(find_player(Some(&bundle)).unwrap(), bundle);
    let p = read_player(&bundle).unwrap();
    assert_eq!((p.js.as_slice(), p.css.as_slice()), (b"js".as_slice(), b"css".as_slice()));
    std::fs::remove_dir_all(&tmp).unwrap();
}
