//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "closeout",
    version,
    about = "Explore CAVRA final closeout evidence and gate a release on it",
    long_about = "Explore CAVRA final closeout evidence and gate a release on it.\n\n\
        With no command, opens the evidence explorer on PATH (or the embedded sample). \
        `closeout check` is the non-interactive CI gate: exit 0 ready, 1 blocked, 2 could not run or could not \
        write its report, 141 stdout closed early (e.g. `| head`).\n\n\
        Evidence read from disk is evaluated as of now unless --as-of is given; an embedded sample as of its own \
        time. Every report says which time it used and why."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Where a retry plan review saved in the explorer is written (default: beside the evidence, named
    /// closeout-review-<time>.json). Never over an evidence file; checked before the terminal is touched.
    #[arg(long, value_name = "FILE")]
    pub review_out: Option<PathBuf>,
    /// The explorer as a public sandbox: the embedded samples only (no PATH, --review or --review-out), no
    /// file written (reviews and notes are shown to copy), none watched, no process started, no config file
    /// read; the session ends after --session-limit, or --idle-limit without a key press.
    #[arg(long)]
    pub sandbox: bool,
    /// With --sandbox: the longest a session lasts (e.g. 30m, 90s, 1h; default 30m).
    #[arg(long, value_name = "DURATION", requires = "sandbox")]
    pub session_limit: Option<String>,
    /// With --sandbox: how long a session may go without a key press (default 5m).
    #[arg(long, value_name = "DURATION", requires = "sandbox")]
    pub idle_limit: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the closeout criteria and print the verdict (CI gate).
    Check(CheckArgs),
    /// List the embedded sample scenarios.
    Samples,
    /// Open a guided walkthrough beside the live panes: trial-walkthrough, sales-demo or operator-runbook.
    Walk(WalkArgs),
    /// Replay a demo tape through the explorer, on the terminal or recorded as asciicast v2 (--record). A demo
    /// never writes a review record: its review shows what would be accepted and saves nothing.
    Demo(DemoArgs),
    /// Sign a review record with an SSH key, or verify its signature against an allowed_signers file.
    Review(ReviewArgs),
    /// The explorer's config file: where it is looked for, or (--print-default) every setting at its default.
    Config(ConfigArgs),
    /// Write the trial as a static tour site (no server code; works from any static host or file://): a
    /// scenario selector, each sample's walkthrough recorded by closeout and played by asciinema-player
    /// with its narration, the criteria closeout computed, the evidence and reports to download.
    Site(SiteArgs),
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The directory to write: new, empty, or a site closeout wrote before (replaced whole).
    pub out: PathBuf,
    /// asciinema-player's files (asciinema-player.min.js and .css, or the npm package's root); default:
    /// $CLOSEOUT_PLAYER_DIR, else web/node_modules/asciinema-player/dist/bundle (`npm ci --prefix web`).
    #[arg(long, value_name = "DIR")]
    pub player: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the default config.toml (theme, mouse, every key binding) to stdout.
    #[arg(long)]
    pub print_default: bool,
}

/// Where the evidence comes from and when it is evaluated.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// Evidence: a trial package, an evidence-metadata store (.json or .sqlite), an artifact, or a directory.
    /// Without it, the embedded sample.
    pub path: Option<PathBuf>,
    /// Evaluate as of this time (RFC 3339). Default: now for evidence read from disk (a trial package's
    /// generated_at is not used); an embedded sample uses its own time.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Only evidence of this release_record_ref.
    #[arg(long, value_name = "REF")]
    pub release: Option<String>,
    /// Use an embedded sample scenario by name (see `closeout samples`).
    #[arg(long, value_name = "NAME", conflicts_with = "path")]
    pub sample: Option<String>,
    /// A retry-plan review record (closeout.review.v1) whose owner acceptance counts while it is unexpired
    /// and the evidence it reviewed is unchanged. Repeatable.
    #[arg(long = "review", value_name = "FILE")]
    pub reviews: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Treat ready_with_accepted_risk as a failure (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Also write the report in FORMAT to FILE (text, json, markdown, sarif, junit, github); repeatable. Every
    /// output comes from one evaluation; files are written atomically, and if one cannot be written the run
    /// is exit 2 with no partial file left behind.
    #[arg(long = "output", value_name = "FORMAT=FILE", value_parser = crate::ci::outputs::parse_output)]
    pub outputs: Vec<crate::ci::outputs::OutputSpec>,
    /// The policy file (default: .closeout.toml in the working directory, when there is one; else CAVRA's
    /// defaults). Its SHA-256 is in every report.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Verify each review record's RECORD.sig against this OpenSSH allowed_signers file: the signer must be
    /// the record's acceptance owner or reviewer; a signature that does not verify voids the acceptance.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// An acceptance without a verified signature is void (needs --allowed-signers or the policy's).
    #[arg(long)]
    pub require_signed_acceptance: bool,
    /// Write an in-toto attestation of the verdict (Statement v1, test-result predicate) to OUT.
    #[arg(long, value_name = "OUT")]
    pub attest: Option<PathBuf>,
    /// Sign the attestation as a DSSE envelope with this SSH key (a private key file, or a .pub whose key
    /// ssh-agent holds).
    #[arg(long, value_name = "KEY", requires = "attest")]
    pub attest_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Walkthrough name (default: trial-walkthrough for a trial package, else operator-runbook).
    pub name: Option<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Where a retry plan review saved in the explorer is written (default: beside the evidence, named
    /// closeout-review-<time>.json). Never over an evidence file; checked before the terminal is touched.
    #[arg(long, value_name = "FILE")]
    pub review_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// A VHS-style tape (default: the built-in sales-engineering demo).
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Play faster (2) or slower (0.5).
    #[arg(long, default_value = "1", value_name = "X")]
    pub speed: String,
    /// Record to an asciicast v2 file instead of playing on the terminal (no terminal needed).
    #[arg(long, value_name = "OUT.cast")]
    pub record: Option<PathBuf>,
    /// Screen size, e.g. 120x36 (default: the tape's Set Width/Height, else 120x36).
    #[arg(long, value_name = "COLSxROWS")]
    pub size: Option<String>,
    /// The walkthrough narrated beside the demo (without --script, its own tape plays: one chapter per step).
    #[arg(long, default_value = "sales-demo", value_name = "NAME")]
    pub walkthrough: String,
    /// Live: pause at every chapter until the presenter presses Space (presenter keys: ? while playing).
    #[arg(long)]
    pub step: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Sign RECORD's exact bytes (SSHSIG, namespace closeout-review) into RECORD.sig, as
    /// `ssh-keygen -Y sign -n closeout-review` would.
    Sign(ReviewSignArgs),
    /// Verify RECORD.sig: exit 0 verified, 1 not verified (the reason is printed), 2 bad input.
    Verify(ReviewVerifyArgs),
}

#[derive(Debug, Args)]
pub struct ReviewSignArgs {
    /// The review record (closeout.review.v1) to sign; it is never modified.
    pub record: PathBuf,
    /// The signing key: an OpenSSH private key file (unencrypted), or a public key (.pub) whose private
    /// half ssh-agent holds.
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Sign through the ssh-agent at $SSH_AUTH_SOCK (with --key's key, or the agent's only key).
    #[arg(long)]
    pub agent: bool,
    /// Replace an existing RECORD.sig.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ReviewVerifyArgs {
    /// The review record whose RECORD.sig is checked.
    pub record: PathBuf,
    /// Who may sign: an OpenSSH allowed_signers file (see ssh-keygen(1), ALLOWED SIGNERS).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: PathBuf,
    /// The principal the signer must be (repeatable; default: the record's acceptance.owner and reviewer).
    #[arg(long = "principal", value_name = "P")]
    pub principals: Vec<String>,
    /// Judge key validity (valid-after / valid-before) at this time (RFC 3339). Default: now.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
}

impl SourceArgs {
    /// Load what the arguments name. `one_shot`: the run ends with the evidence (`check`), so large files may
    /// be mapped rather than read.
    pub fn load(&self, one_shot: bool) -> Result<crate::evidence::Evidence, crate::evidence::LoadError> {
        let opts =
            crate::evidence::LoadOptions { release: self.release.clone(), map_files: one_shot, ..Default::default() };
        match (&self.path, &self.sample) {
            (Some(p), _) => crate::evidence::load_path(p, &opts),
            (None, Some(name)) => crate::samples::load(name, &opts),
            (None, None) => crate::samples::load(&crate::samples::default_name(), &opts),
        }
    }

    /// The evaluation time: `--as-of`; else an embedded sample's own time; else now (evidence read from disk).
    pub fn as_of(&self, ev: &crate::evidence::Evidence) -> Result<crate::time::AsOf, crate::evidence::LoadError> {
        use crate::time::AsOf;
        match (&self.as_of, ev.default_as_of) {
            (Some(t), _) => chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| AsOf::given(t.with_timezone(&chrono::Utc)))
                .map_err(|e| {
                    crate::evidence::LoadError::new(
                        "--as-of",
                        format!(
                            "{:?} is not an RFC 3339 time ({e}); e.g. 2026-06-01T10:00:00Z",
                            crate::sanitize::clean(t)
                        ),
                    )
                }),
            (None, Some(own)) => Ok(AsOf::sample(own)),
            (None, None) => Ok(AsOf::now()),
        }
    }
}
