//! The explorer's config file, `$XDG_CONFIG_HOME/closeout/config.toml` (else `~/.config/closeout/config.toml`):
//! the theme, the mouse, and key overrides checked against the keymap table.
//!
//! A file that is not valid TOML, or holds an unknown setting, is an error naming the file, the line and the
//! column (closeout then exits 2 before touching the terminal). A key override that cannot be applied (an
//! unknown action, a key that is not a key, a key another binding holds) is not applied, and is reported at
//! start-up in the message log with the file and line; the rest of the file still counts.
//! `closeout config --print-default` writes [`default_text`], which loads to exactly the built-in keymap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keymap::{Keymap, Override};
use super::theme::ThemeChoice;

/// The largest config file read (a config is a few kilobytes).
const MAX_BYTES: u64 = 1 << 20;

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Config {
    pub theme: ThemeChoice,
    pub mouse: bool,
    pub keymap: Keymap,
    /// Overrides that were not applied, one line each ("FILE line N: …").
    pub problems: Vec<String>,
    /// The file read, when there was one.
    pub path: Option<PathBuf>,
    /// The SSH key the offer to sign a saved review starts with (`signing_key`; `$CLOSEOUT_SIGNING_KEY`
    /// wins).
    pub signing_key: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            theme: ThemeChoice::Auto,
            mouse: true,
            keymap: Keymap::default(),
            problems: Vec::new(),
            path: None,
            signing_key: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    theme: Option<toml::Spanned<String>>,
    mouse: Option<bool>,
    signing_key: Option<PathBuf>,
    #[serde(default)]
    keys: BTreeMap<toml::Spanned<String>, Keys>,
}

/// Where the config file is looked for.
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".config"),
    };
    Some(base.join("closeout").join("config.toml"))
}

/// Read the config file from its usual place; the defaults when there is none.
pub fn load() -> Result<Config, String> {
    match default_path() {
        Some(p) if p.exists() => load_from(&p),
        _ => Ok(Config::default()),
    }
}

/// Read one config file.
pub fn load_from(path: &Path) -> Result<Config, String> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    if meta.len() > MAX_BYTES {
        return Err(format!("{shown}: {} bytes is too large for a config file (at most {MAX_BYTES})", meta.len()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut c = parse(&text, &shown)?;
    c.path = Some(path.to_path_buf());
    Ok(c)
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parse a config file's text; `shown` names it in messages.
pub fn parse(text: &str, shown: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                format!("{shown}: line {l}, column {c}: {}", crate::sanitize::clean(&msg))
            }
            None => format!("{shown}: {}", crate::sanitize::clean(&msg)),
        }
    })?;
    let theme = match &file.theme {
        None => ThemeChoice::Auto,
        Some(t) => ThemeChoice::parse(t.get_ref()).ok_or_else(|| {
            let (l, c) = line_col(text, t.span().start);
            format!(
                "{shown}: line {l}, column {c}: theme {:?} is not one of auto, dark, light, high-contrast, mono",
                crate::sanitize::clean(t.get_ref())
            )
        })?,
    };
    let mut overrides: Vec<(usize, Override)> = file
        .keys
        .into_iter()
        .map(|(name, keys)| {
            let start = name.span().start;
            let (line, _) = line_col(text, start);
            let keys = match keys {
                Keys::One(k) => vec![k],
                Keys::Many(v) => v,
            };
            (
                start,
                Override {
                    name: crate::sanitize::clean(name.get_ref()).into_owned(),
                    keys,
                    at: format!("{shown} line {line}"),
                },
            )
        })
        .collect();
    overrides.sort_by_key(|(start, _)| *start);
    let overrides: Vec<Override> = overrides.into_iter().map(|(_, o)| o).collect();
    let (keymap, problems) = Keymap::with_overrides(&overrides);
    let signing_key = file.signing_key.map(|k| expand_home(&k, std::env::var_os("HOME").map(PathBuf::from)));
    Ok(Config { theme, mouse: file.mouse.unwrap_or(true), keymap, problems, path: None, signing_key })
}

/// A path starting `~/` under the home directory (as a shell would expand it); any other path as given.
fn expand_home(path: &Path, home: Option<PathBuf>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) if !home.as_os_str().is_empty() => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The default config file: every setting and every binding with its keys (loads to the built-in keymap).
pub fn default_text() -> String {
    let map = Keymap::default();
    let mut out = String::new();
    out.push_str(
        "# closeout explorer settings: $XDG_CONFIG_HOME/closeout/config.toml (else ~/.config/closeout/config.toml).\n",
    );
    out.push_str(
        "# Written by `closeout config --print-default`: every setting at its default. Keep only what you change.\n\n",
    );
    out.push_str(
        "# auto | dark | light | high-contrast | mono (auto: mono under NO_COLOR, light when COLORFGBG says so)\n",
    );
    out.push_str("theme = \"auto\"\n");
    out.push_str("# Capture the mouse: click to select, wheel to scroll.\n");
    out.push_str("mouse = true\n");
    out.push_str(
        "# The SSH key the explorer offers to sign a saved review with (a private key file, or a .pub whose key\n",
    );
    out.push_str("# ssh-agent holds); $CLOSEOUT_SIGNING_KEY wins. Unset: type it when asked, or use the agent.\n");
    out.push_str("# signing_key = \"~/.ssh/id_ed25519\"\n\n");
    out.push_str("[keys]\n");
    out.push_str(
        "# \"context.action\" = [\"key\", ...] changes one context; action = [...] (no context) changes every\n",
    );
    out.push_str("# context the action is bound in. Keys: \"j\", \"G\", \"Ctrl-p\", \"Alt-Left\", \"Enter\", \"Esc\", \"Tab\",\n");
    out.push_str("# \"S-Tab\", \"Bksp\", \"PgUp\", \"PgDn\", \"Home\", \"End\", \"Up\", \"Down\", \"Left\", \"Right\", \"Space\", \"F1\"...\n");
    out.push_str(
        "# A key another binding holds where this one works is refused (and reported when the explorer starts).\n",
    );
    for b in &map.bindings {
        let keys: Vec<String> = b.keys.iter().map(|k| quoted(&k.label())).collect();
        let name = format!("{}.{}", b.context.name(), b.action.name());
        let line = format!("{} = [{}]", quoted(&name), keys.join(", "));
        out.push_str(&format!("{line:<44} # {}\n", b.description));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::keymap::{Context, KeySpec, stack};

    #[test]
    fn the_default_file_loads_to_the_built_in_keymap() {
        let c = parse(&default_text(), "default.toml").unwrap();
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let d = Keymap::default();
        assert_eq!(c.keymap.bindings.len(), d.bindings.len());
        for (a, b) in c.keymap.bindings.iter().zip(&d.bindings) {
            assert_eq!((a.context, a.action, &a.keys), (b.context, b.action, &b.keys));
        }
        assert_eq!(c.theme, ThemeChoice::Auto);
        assert!(c.mouse);
    }

    #[test]
    fn the_signing_key_setting_is_read_with_a_leading_tilde_expanded() {
        let c = parse("signing_key = \"/keys/id_ed25519\"\n", "c.toml").unwrap();
        assert_eq!(c.signing_key, Some(PathBuf::from("/keys/id_ed25519")));
        assert_eq!(parse("", "c.toml").unwrap().signing_key, None);
        let home = Some(PathBuf::from("/home/me"));
        assert_eq!(expand_home(Path::new("~/.ssh/id"), home.clone()), PathBuf::from("/home/me/.ssh/id"));
        assert_eq!(expand_home(Path::new("~other/id"), home.clone()), PathBuf::from("~other/id"));
        assert_eq!(expand_home(Path::new("rel/id"), home), PathBuf::from("rel/id"));
        assert_eq!(expand_home(Path::new("~/id"), None), PathBuf::from("~/id"));
        let e = parse("signing_key = 3\n", "c.toml").unwrap_err();
        assert!(e.starts_with("c.toml: line 1, column"), "{e}");
    }

    #[test]
    fn settings_overrides_and_their_problems() {
        let text = "theme = \"light\"\nmouse = false\n\n[keys]\nnext_problem = \"!\"\nquit = [\"j\"]\n";
        let c = parse(text, "c.toml").unwrap();
        assert_eq!(c.theme, ThemeChoice::Light);
        assert!(!c.mouse);
        let s = stack(Context::Tree, false);
        assert_eq!(c.keymap.action_for(&s, &KeySpec::parse("!").unwrap()), Some(Action::NextProblem));
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert!(c.problems[0].starts_with("c.toml line 6: quit: key j is already down"), "{:?}", c.problems);
    }

    #[test]
    fn a_broken_file_names_its_line_and_column() {
        let e = parse("theme = \"dark\"\nmouse = maybe\n", "c.toml").unwrap_err();
        assert!(e.starts_with("c.toml: line 2, column 9:"), "{e}");
        let e = parse("colour = 1\n", "c.toml").unwrap_err();
        assert!(e.starts_with("c.toml: line 1, column 1:") && e.contains("colour"), "{e}");
        let e = parse("theme = \"sepia\"\n", "c.toml").unwrap_err();
        assert!(e.contains("line 1, column 9") && e.contains("sepia"), "{e}");
    }
}
