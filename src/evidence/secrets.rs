//! Secret detection for untrusted evidence text. Pure functions: no I/O, never returns or stores the secret itself.
//!
//! CAVRA redacts connector credentials before it stores delivery records (header values become `"REDACTED"`,
//! Slack webhook URLs become `https://hooks.slack.com/services/REDACTED`, query strings become `?REDACTED`).
//! Evidence handed to `closeout` is untrusted, so this module looks for credential material that was *not*
//! redacted:
//!
//! * [`is_secret_key`] decides whether a JSON object key names secret material (as opposed to a reference to it,
//!   such as `token_env` or `signature_key_id`).
//! * [`detect_value_secret`] classifies a string with no key context: provider tokens from the catalogue
//!   (see below), PEM private keys, GitHub/Slack/Stripe tokens, `Bearer …` credentials, URLs with credentials or
//!   query strings, webhook URLs whose path is the secret, and `key=value` / `"key": "value"` assignments
//!   embedded in longer text.
//! * [`is_cavra_redacted`] recognises CAVRA's own redaction markers.
//! * [`prefilter_needles`] / [`candidates`] let a caller skip whole buffers that cannot contain anything either
//!   function would flag.
//! * [`fingerprint`] / [`key_marker`] name a secret without showing it (a stable 8-hex-digit digest).
//!
//! # One table
//!
//! Detection runs on one table of rules, and the prefilter's needles are derived from it:
//!
//! * **Catalogue rules**: provider token formats from `harn-secret-catalog` (a maintained, dependency-free
//!   catalogue of high-precision token patterns, many taken from gitleaks), plus [`LOCAL_RULES`] for the two
//!   families the issue names that it lacks (Anthropic, SendGrid). Each rule's needles are the literal prefixes
//!   of its regex, extracted with `regex-syntax`, so a catalogue update brings its own needles.
//! * **Structural rules**: this module's own detectors. Each one's needles come from the same constants the
//!   detector matches with ([`KEY_STEMS`], [`KEY_COMPOUNDS`], [`GITHUB_PREFIXES`], [`STRIPE_PREFIXES`],
//!   [`WEBHOOK_HOSTS`], [`AUTH_SCHEMES`], …).
//!
//! Every function only reports a [`SecretKind`]; none of them returns, logs or keeps the matched text.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// What kind of unredacted secret material was found.
///
/// Declaration order is detection priority: when one string holds several secrets, the first kind here is
/// reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// PEM `-----BEGIN … PRIVATE KEY-----` (RSA/EC/OPENSSH/ENCRYPTED/plain) or a PGP private key block.
    PrivateKey,
    /// `gh[pousr]_…` or `github_pat_…` GitHub token.
    GithubToken,
    /// `xox[baprs]-…` Slack token.
    SlackToken,
    /// `sk_live_` / `sk_test_` / `rk_live_` / `rk_test_` Stripe key (and `whsec_` webhook signing secrets).
    StripeKey,
    /// AWS access key id (`AKIA…`, `ASIA…`, …; catalogue rule).
    AwsAccessKey,
    /// GitLab personal access token (`glpat-…`; catalogue rule).
    GitlabToken,
    /// npm access token (`npm_…`; catalogue rule).
    NpmToken,
    /// Anthropic API key (`sk-ant-…`; local rule).
    AnthropicKey,
    /// OpenAI API key (`sk-…`, `sk-proj-…`; catalogue rule).
    OpenaiKey,
    /// Google API key (`AIza…`; catalogue rule).
    GoogleApiKey,
    /// SendGrid API key (`SG.<22>.<43>`; local rule).
    SendgridKey,
    /// Hugging Face access token (`hf_…`; catalogue rule).
    HuggingfaceToken,
    /// A JSON Web Token (`eyJ….….…`; catalogue rule).
    Jwt,
    /// Any other provider token the catalogue knows (e.g. Cerebras, Together).
    ProviderToken,
    /// `Bearer <token>`, `Basic <b64>`, `Token <x>`, `Splunk <token>` style credential.
    BearerCredential,
    /// `scheme://user:pass@host` or `scheme://<token>@host`.
    UrlUserinfo,
    /// A URL whose query string is non-empty and not CAVRA's `?REDACTED`.
    UrlQuery,
    /// A webhook URL whose path is the secret (Slack, Teams/Office 365, Discord), not redacted.
    WebhookPath,
    /// A non-empty value under a secret-looking key that is not a CAVRA `REDACTED` marker.
    SecretField,
}

// A kind inserted before the last one moves its discriminant past the table. One added after it is not caught
// here, which is why `from_place` fails closed.
const _: () = assert!(SecretKind::SecretField as usize + 1 == SecretKind::ALL.len());

impl SecretKind {
    /// Every kind, in detection priority order (declaration order): `kind as usize` is its place.
    pub const ALL: [SecretKind; 19] = [
        SecretKind::PrivateKey,
        SecretKind::GithubToken,
        SecretKind::SlackToken,
        SecretKind::StripeKey,
        SecretKind::AwsAccessKey,
        SecretKind::GitlabToken,
        SecretKind::NpmToken,
        SecretKind::AnthropicKey,
        SecretKind::OpenaiKey,
        SecretKind::GoogleApiKey,
        SecretKind::SendgridKey,
        SecretKind::HuggingfaceToken,
        SecretKind::Jwt,
        SecretKind::ProviderToken,
        SecretKind::BearerCredential,
        SecretKind::UrlUserinfo,
        SecretKind::UrlQuery,
        SecretKind::WebhookPath,
        SecretKind::SecretField,
    ];

    /// The kind at place `i` of [`SecretKind::ALL`]. Fails closed: a place past the table (a kind added to
    /// the enum but not to the table) is still a secret, so it is never shown in the clear.
    pub fn from_place(i: usize) -> SecretKind {
        SecretKind::ALL.get(i).copied().unwrap_or(SecretKind::SecretField)
    }

    /// The snake_case name, identical to the serde representation.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "private_key",
            SecretKind::GithubToken => "github_token",
            SecretKind::SlackToken => "slack_token",
            SecretKind::StripeKey => "stripe_key",
            SecretKind::AwsAccessKey => "aws_access_key",
            SecretKind::GitlabToken => "gitlab_token",
            SecretKind::NpmToken => "npm_token",
            SecretKind::AnthropicKey => "anthropic_key",
            SecretKind::OpenaiKey => "openai_key",
            SecretKind::GoogleApiKey => "google_api_key",
            SecretKind::SendgridKey => "sendgrid_key",
            SecretKind::HuggingfaceToken => "huggingface_token",
            SecretKind::Jwt => "jwt",
            SecretKind::ProviderToken => "provider_token",
            SecretKind::BearerCredential => "bearer_credential",
            SecretKind::UrlUserinfo => "url_userinfo",
            SecretKind::UrlQuery => "url_query",
            SecretKind::WebhookPath => "webhook_path",
            SecretKind::SecretField => "secret_field",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "private key",
            SecretKind::GithubToken => "GitHub token",
            SecretKind::SlackToken => "Slack token",
            SecretKind::StripeKey => "Stripe key",
            SecretKind::AwsAccessKey => "AWS access key",
            SecretKind::GitlabToken => "GitLab token",
            SecretKind::NpmToken => "npm token",
            SecretKind::AnthropicKey => "Anthropic API key",
            SecretKind::OpenaiKey => "OpenAI API key",
            SecretKind::GoogleApiKey => "Google API key",
            SecretKind::SendgridKey => "SendGrid API key",
            SecretKind::HuggingfaceToken => "Hugging Face token",
            SecretKind::Jwt => "JSON Web Token",
            SecretKind::ProviderToken => "provider API token",
            SecretKind::BearerCredential => "bearer credential",
            SecretKind::UrlUserinfo => "URL credentials",
            SecretKind::UrlQuery => "URL query string",
            SecretKind::WebhookPath => "webhook URL path",
            SecretKind::SecretField => "secret field",
        }
    }
}

/// CAVRA's redaction marker.
const MARKER: &[u8] = b"REDACTED";

// ---------------------------------------------------------------------------------------------------------------
// Fingerprints
// ---------------------------------------------------------------------------------------------------------------

/// Domain separation for [`fingerprint`]: the digest names "a secret closeout saw", never anything else.
const FINGERPRINT_DOMAIN: &[u8] = b"closeout/secret-fingerprint/v1\0";

/// A stable short name for a secret: the first 8 hex digits of SHA-256 over a domain-separation prefix and the
/// secret's bytes. Deterministic (recordings stay byte-identical); 32 bits tell secrets apart in one bundle
/// without giving a high-entropy token away.
pub fn fingerprint(secret: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(FINGERPRINT_DOMAIN);
    h.update(secret.as_bytes());
    super::canonical::hex(&h.finalize()[..4])
}

/// The text that stands in for a secret used as an identifier (an object key, an id): the kind and the
/// secret's [`fingerprint`], e.g. `«REDACTED: GitHub token #1a2b3c4d»`.
pub fn key_marker(kind: SecretKind, secret: &str) -> String {
    format!("«REDACTED: {} #{}»", kind.label(), fingerprint(secret))
}

// ---------------------------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------------------------

/// A provider-token rule: an id, the kind it reports and a regex. Catalogue rules come from
/// `harn-secret-catalog`; [`LOCAL_RULES`] adds the families the issue names that the catalogue lacks.
#[derive(Debug, Clone, Copy)]
pub struct TokenRule {
    pub id: &'static str,
    pub kind: SecretKind,
    pub regex: &'static str,
}

/// Our own provider-token rules, written from the providers' published token formats, for families the
/// catalogue does not carry. Kept to what the issue names; everything else comes from the catalogue.
pub const LOCAL_RULES: &[TokenRule] = &[
    // `sk-ant-<kind><nn>-<base64url>`: checked before the catalogue's looser `sk-…` OpenAI rule (kind order).
    TokenRule { id: "anthropic-api-key", kind: SecretKind::AnthropicKey, regex: r"\bsk-ant-[A-Za-z0-9_-]{32,255}\b" },
    // `SG.<22 base64url>.<43 base64url>`.
    TokenRule {
        id: "sendgrid-api-key",
        kind: SecretKind::SendgridKey,
        regex: r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    },
];

/// The kind a catalogue detector reports, or `None` for families a structural rule of ours already covers
/// with tuned false-positive protections (GitHub, Slack, Stripe, PEM) and for catalogue ids of other
/// precision classes.
fn catalogue_kind(detector: &str) -> Option<SecretKind> {
    Some(match detector {
        "github-token" | "github-fine-grained-token" | "slack-token" | "stripe-secret-key" | "private-key-block" => {
            return None;
        }
        "aws-access-key-id" => SecretKind::AwsAccessKey,
        "gitlab-token" => SecretKind::GitlabToken,
        "npm-token" => SecretKind::NpmToken,
        "openai-api-key" => SecretKind::OpenaiKey,
        "google-api-key" => SecretKind::GoogleApiKey,
        "huggingface-token" => SecretKind::HuggingfaceToken,
        "jwt-token" => SecretKind::Jwt,
        _ => SecretKind::ProviderToken,
    })
}

/// Every provider-token rule closeout runs: the catalogue's high-precision token shapes (its heuristic
/// `Bearer` and assignment patterns are left to our structural rules) and [`LOCAL_RULES`].
pub fn token_rules() -> &'static [TokenRule] {
    static RULES: LazyLock<Vec<TokenRule>> = LazyLock::new(|| {
        let catalogue = harn_secret_catalog::DEFAULT_SECRET_PATTERN_SPECS.iter().filter_map(|spec| {
            if spec.precision != harn_secret_catalog::PRECISION_HIGH {
                return None;
            }
            let kind = catalogue_kind(spec.detector)?;
            Some(TokenRule { id: spec.detector, kind, regex: spec.regex })
        });
        LOCAL_RULES.iter().copied().chain(catalogue).collect()
    });
    &RULES
}

/// A compiled [`TokenRule`] with the literal prefixes every match starts with.
struct CompiledRule {
    kind: SecretKind,
    regex: regex::Regex,
    /// Lower-case literal prefixes (each match starts with one of them, ASCII case-insensitively).
    prefixes: Vec<String>,
}

/// What the prefilter needs of a rule: its literal prefixes and whether a match must start at a word start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePrefixes {
    /// Lower-case, at least [`MIN_NEEDLE`] bytes each.
    pub prefixes: Vec<String>,
    pub word_start: bool,
}

/// Shortest literal prefix a rule may be prefiltered on.
const MIN_NEEDLE: usize = 3;

/// The literal prefixes of `pattern` (lowercased, deduplicated) and whether it opens with a word boundary.
/// `None` when some match could start without a literal of at least [`MIN_NEEDLE`] bytes: such a rule cannot
/// be prefiltered and is not used (a test keeps every catalogue rule usable).
pub fn rule_prefixes(pattern: &str) -> Option<RulePrefixes> {
    use regex_syntax::hir::{Hir, HirKind, Look, literal::Extractor};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().extract(&hir);
    let literals = seq.literals()?;
    let mut prefixes: Vec<String> = Vec::new();
    for lit in literals {
        let text = std::str::from_utf8(lit.as_bytes()).ok()?.to_ascii_lowercase();
        if text.len() < MIN_NEEDLE {
            return None;
        }
        if !prefixes.contains(&text) {
            prefixes.push(text);
        }
    }
    if prefixes.is_empty() {
        return None;
    }
    fn first_is_word_boundary(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Look(l) => matches!(l, Look::WordAscii | Look::WordUnicode),
            HirKind::Concat(parts) => parts.first().is_some_and(first_is_word_boundary),
            HirKind::Capture(c) => first_is_word_boundary(&c.sub),
            _ => false,
        }
    }
    Some(RulePrefixes { prefixes, word_start: first_is_word_boundary(&hir) })
}

struct Catalogue {
    rules: Vec<CompiledRule>,
    /// Every rule's prefixes, ASCII case-insensitively; pattern id → rule index.
    trigger: AhoCorasick,
    trigger_rule: Vec<usize>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut rules = Vec::new();
    let mut patterns = Vec::new();
    let mut trigger_rule = Vec::new();
    for rule in token_rules() {
        let (Some(p), Ok(regex)) = (rule_prefixes(rule.regex), regex::Regex::new(rule.regex)) else { continue };
        for prefix in &p.prefixes {
            patterns.push(prefix.clone());
            trigger_rule.push(rules.len());
        }
        rules.push(CompiledRule { kind: rule.kind, regex, prefixes: p.prefixes });
    }
    let trigger = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .expect("catalogue prefixes are valid aho-corasick patterns");
    Catalogue { rules, trigger, trigger_rule }
});

/// The highest-priority provider token in `value`, by the catalogue and local rules. A match whose body (the
/// part after its literal prefix) is a placeholder, one repeated character or not credential-like (no digit,
/// no mixed case) is not a token: `sk-your-key-goes-here`, `AKIAXXXXXXXXXXXXXXXX`.
fn token_secret(value: &str) -> Option<SecretKind> {
    let cat = &*CATALOGUE;
    let mut best: Option<SecretKind> = None;
    let mut tried = Vec::new();
    for m in cat.trigger.find_overlapping_iter(value) {
        let idx = cat.trigger_rule[m.pattern().as_usize()];
        if tried.contains(&idx) {
            continue;
        }
        tried.push(idx);
        let rule = &cat.rules[idx];
        if best.is_some_and(|b| b <= rule.kind) {
            continue;
        }
        let found = rule.regex.find_iter(value).any(|m| {
            let text = m.as_str().as_bytes();
            let body = rule
                .prefixes
                .iter()
                .find(|p| text.len() >= p.len() && text[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
                .map_or(text, |p| &text[p.len()..]);
            looks_like_credential(body, 1)
        });
        if found {
            best = Some(rule.kind);
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------------------------
// The prefilter
// ---------------------------------------------------------------------------------------------------------------

/// What a hit of a needle needs before the string holding it is examined (stage 2 of the scan). A needle
/// that several rules share carries every rule's gates, and is examined when any of them passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gates(u8);

impl Gates {
    /// Always examine (PEM armour, webhook hosts, token prefixes that need no word start, `?`, `@`, `\u`).
    pub const ALWAYS: Gates = Gates(1);
    /// Examine when no ASCII letter or digit precedes the hit (token prefixes whose rule needs a word start).
    pub const WORD_START: Gates = Gates(2);
    /// A key word: examine where it can name a secret (a key, an assignment, a scheme before a credential).
    pub const KEY_WORD: Gates = Gates(4);
    /// CAVRA's marker: examine when the bytes are exactly `REDACTED`.
    pub const MARKER: Gates = Gates(8);
    /// An authorization scheme: also examine when a credential-like word follows it (`Bearer abc…`).
    pub const SCHEME: Gates = Gates(16);

    pub fn has(self, g: Gates) -> bool {
        self.0 & g.0 != 0
    }
    fn union(self, g: Gates) -> Gates {
        Gates(self.0 | g.0)
    }
    fn covers(self, g: Gates) -> bool {
        self.0 & g.0 == g.0
    }
}

/// One prefilter needle: normalized text (see [`normalize_byte`]) and the gates of the rules it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    pub text: String,
    pub gates: Gates,
}

/// The byte map applied to the searched text and to every needle: ASCII letters lowercased, digits kept, and
/// every other byte (punctuation, space, non-ASCII) folded into `_`. Folding lets one needle stand for each
/// spelling (`api_key`/`api-key`, `pwd"`/`pwd=`/`pwd.`…), which keeps the table small. Offsets are unchanged.
/// In the searched text, the letter of a JSON escape (`\n`, `\t`, …) is folded too, since it decodes to a
/// non-word character (see [`starts_word`]).
pub const fn normalize_byte(b: u8) -> u8 {
    // Written with compares and selects only, so the copy loop vectorizes (a lookup table is twice as slow).
    let lower = b | 0x20;
    if lower.wrapping_sub(b'a') < 26 {
        lower
    } else if b.wrapping_sub(b'0') < 10 {
        b
    } else {
        b'_'
    }
}

fn normalize(s: &str) -> String {
    s.bytes().map(|b| char::from(normalize_byte(b))).collect()
}

/// A rule's needle: its normalized prefix, gated on a word start when the rule needs one. A prefix that
/// opens with punctuation (`-----begin`) is searched from its first letter or digit: folded punctuation is
/// everywhere in normalized JSON (`": "`), so a needle starting with it would slow the search tenfold.
fn needle_for(prefix: &[u8], word_start: bool) -> (String, Gates) {
    let text = normalize(&String::from_utf8_lossy(prefix));
    if word_start { (text, Gates::WORD_START) } else { (text.trim_start_matches('_').to_string(), Gates::ALWAYS) }
}

/// No ASCII letter or digit in `normalized` (the searched text after [`normalize_byte`] and escape folding)
/// right before `at`: a word start, where a rule opening with `\b` can match. Conservative: `_` and non-ASCII
/// letters count as word starts too.
pub fn starts_word(normalized: &[u8], at: usize) -> bool {
    at == 0 || normalized[at - 1] == b'_'
}

/// Needles of the structural rules, each from the constants its detector matches with.
fn structural_needles() -> Vec<(String, Gates)> {
    let mut out: Vec<(String, Gates)> = Vec::new();
    // Key stems and compounds (is_secret_key; also what an embedded `key=value` assignment needs). A stem
    // shorter than four bytes (`pwd`) is searched with a folded separator after it, so `pwdX` with a letter
    // or digit after it is a known gap.
    for stem in KEY_STEMS.iter().chain(KEY_COMPOUNDS) {
        let text = if stem.len() < 4 { format!("{stem}_") } else { normalize(stem) };
        out.push((text, Gates::KEY_WORD));
    }
    for scheme in AUTH_SCHEMES {
        out.push((normalize(&String::from_utf8_lossy(scheme)), Gates::KEY_WORD.union(Gates::SCHEME)));
    }
    out.push(needle_for(PEM_BEGIN, false));
    for p in GITHUB_PREFIXES {
        out.push(needle_for(p, true));
    }
    out.push(needle_for(SLACK_PREFIX, true));
    for (p, _) in STRIPE_PREFIXES {
        out.push(needle_for(p, true));
    }
    for (host, _) in WEBHOOK_HOSTS {
        out.push(needle_for(host, false));
    }
    // CAVRA's own marker, counted as already redacted (and, in lower case, a key word such as `redacted`).
    out.push(("redacted".into(), Gates::MARKER.union(Gates::KEY_WORD)));
    // URLs need no needle: their secrets sit after a `?` (query) or an `@` (userinfo), which [`candidates`]
    // finds with memchr; a `\u` escape (which can hide any needle) is found with memmem.
    out
}

/// Two needles with the same gates that share a prefix at least this long are searched as that prefix
/// (`access_key`/`accesskey` as `access`, `discord_com`/`discordapp_com` as `discord`): every hit of either
/// is a hit of the prefix at the same offset, and fewer needles keep the search on its fast path.
const MERGE_PREFIX: usize = 8;

/// The prefilter's needles, derived from the one table: every token rule's literal prefixes and every
/// structural rule's constants, normalized, with the gates of every rule a needle serves. Needles with the
/// same gates and a long common prefix are merged into it ([`MERGE_PREFIX`]), and a needle that has another
/// needle with the same or wider gates as a prefix is dropped (its hits are that needle's hits).
pub fn prefilter_needles() -> &'static [Needle] {
    static NEEDLES: LazyLock<Vec<Needle>> = LazyLock::new(|| {
        let mut raw = structural_needles();
        for rule in token_rules() {
            if let Some(p) = rule_prefixes(rule.regex) {
                raw.extend(p.prefixes.iter().map(|t| needle_for(t.as_bytes(), p.word_start)));
            }
        }
        // Merge long common prefixes of same-gate needles until none is left.
        loop {
            let pair = (0..raw.len()).find_map(|i| {
                (i + 1..raw.len()).find_map(|j| {
                    let (a, b) = (&raw[i], &raw[j]);
                    let common = a.0.bytes().zip(b.0.bytes()).take_while(|(x, y)| x == y).count();
                    (a.1 == b.1 && a.0 != b.0 && common >= MERGE_PREFIX).then_some((i, j, common))
                })
            });
            let Some((i, j, common)) = pair else { break };
            raw[i].0.truncate(common);
            raw[j].0.truncate(common);
        }
        let mut merged: Vec<Needle> = Vec::new();
        for (text, gates) in raw {
            match merged.iter_mut().find(|n| n.text == text) {
                Some(n) => n.gates = n.gates.union(gates),
                None => merged.push(Needle { text, gates }),
            }
        }
        let redundant = |b: &Needle| {
            merged.iter().any(|a| a.text != b.text && b.text.starts_with(&a.text) && a.gates.covers(b.gates))
        };
        let keep: Vec<bool> = merged.iter().map(|b| !redundant(b)).collect();
        merged.into_iter().zip(keep).filter_map(|(n, k)| k.then_some(n)).collect()
    });
    &NEEDLES
}

/// Needles per automaton: aho-corasick's SIMD (Teddy) search takes at most 64, and past 32 switches to its
/// slower "fat" variant (16 bytes a step instead of 32), which costs more than a second pass.
pub const AUTOMATON_NEEDLES: usize = 32;

/// The needle lengths that share an automaton. Teddy fingerprints as many leading bytes as its shortest
/// needle has (up to four), so one three-byte needle makes every other needle's search less selective:
/// measured on a 156 MB store, a pass per length class (3, 4, 5+) costs about half of one pass over all.
const LENGTH_CLASSES: [std::ops::RangeInclusive<usize>; 3] = [0..=3, 4..=4, 5..=usize::MAX];

/// The needles' automata, case-sensitive over normalized text, each with the table index of its patterns.
static PREFILTER: LazyLock<Vec<(AhoCorasick, Vec<usize>)>> = LazyLock::new(|| prefilter_automata(prefilter_needles()));

/// One automaton per length class and per [`AUTOMATON_NEEDLES`] needles of it.
pub fn prefilter_automata(needles: &[Needle]) -> Vec<(AhoCorasick, Vec<usize>)> {
    let mut out = Vec::new();
    for class in LENGTH_CLASSES {
        let members: Vec<usize> = (0..needles.len()).filter(|&i| class.contains(&needles[i].text.len())).collect();
        let per = members.len().div_ceil(members.len().div_ceil(AUTOMATON_NEEDLES).max(1)).max(1);
        for chunk in members.chunks(per) {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(chunk.iter().map(|&i| needles[i].text.as_str()))
                .expect("prefilter needles are valid aho-corasick patterns");
            out.push((ac, chunk.to_vec()));
        }
    }
    out
}

/// One stage-1 hit: where a secret could start and what the hit needs before the string is examined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub at: usize,
    pub gates: Gates,
}

/// The bytes searched per step of [`candidates`].
const CHUNK: usize = 1 << 20;

/// Every offset in `bytes` where a secret could start: a hit of a [`prefilter_needles`] needle (matched on
/// normalized bytes, so ASCII case-insensitively and with separators folded), a `?` / `@` (URL query strings
/// and userinfo) or a `\u` escape (which may hide any of them). Ascending.
pub fn candidates(bytes: &[u8]) -> Vec<usize> {
    candidate_hits(bytes, 0..bytes.len()).into_iter().map(|h| h.at).collect()
}

/// The normalized copy of `raw` in `out` (as long as `raw`), and in `specials` the offset of every `?`, `@`
/// and `\\` of `raw` (the bytes the needles do not find, see [`scan_specials`]), in one pass over the bytes.
fn normalize_chunk(raw: &[u8], out: &mut [u8], specials: &mut Vec<u32>) {
    specials.clear();
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present (checked just above).
        done = unsafe { normalize_avx2(raw, out, specials) };
    }
    for (i, (&b, o)) in raw[done..].iter().zip(&mut out[done..]).enumerate() {
        *o = normalize_byte(b);
        if matches!(b, b'?' | b'@' | b'\\') {
            specials.push((done + i) as u32);
        }
    }
}

/// [`normalize_chunk`] 32 bytes at a time, [`normalize_byte`]'s compares done as signed ones on shifted bytes;
/// returns how many leading bytes it did (a multiple of 32).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn normalize_avx2(raw: &[u8], out: &mut [u8], specials: &mut Vec<u32>) -> usize {
    use std::arch::x86_64::*;
    let n = raw.len().min(out.len()) / 32 * 32;
    let splat = |b: u8| _mm256_set1_epi8(b as i8);
    // `x + (0x80 - lo)` puts `lo..lo + k` at the bottom of the signed range: in it when below `k - 128`.
    let (alpha_shift, alpha_top) = (splat(0x80u8.wrapping_sub(b'a')), splat((26u8).wrapping_sub(0x80)));
    let (digit_shift, digit_top) = (splat(0x80u8.wrapping_sub(b'0')), splat((10u8).wrapping_sub(0x80)));
    let (case, fold) = (splat(0x20), splat(b'_'));
    let (query, at, backslash) = (splat(b'?'), splat(b'@'), splat(b'\\'));
    let mut i = 0;
    while i < n {
        // SAFETY: `i + 32 <= n`, within both slices; unaligned loads and stores.
        let v = unsafe { _mm256_loadu_si256(raw.as_ptr().add(i).cast()) };
        let lower = _mm256_or_si256(v, case);
        let alpha = _mm256_cmpgt_epi8(alpha_top, _mm256_add_epi8(lower, alpha_shift));
        let digit = _mm256_cmpgt_epi8(digit_top, _mm256_add_epi8(v, digit_shift));
        let normalized = _mm256_blendv_epi8(_mm256_blendv_epi8(fold, v, digit), lower, alpha);
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().add(i).cast(), normalized) };
        let special = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, query), _mm256_cmpeq_epi8(v, at)),
            _mm256_cmpeq_epi8(v, backslash),
        );
        let mut mask = _mm256_movemask_epi8(special) as u32;
        while mask != 0 {
            specials.push((i + mask.trailing_zeros() as usize) as u32);
            mask &= mask - 1;
        }
        i += 32;
    }
    n
}

/// For the three bytes the needles do not find, at the offsets `specials` of a chunk's raw bytes: fold the
/// letter of each JSON escape (`\n`, `\t`, `\r`, `\b`, `\f`: a non-word character once decoded) in the
/// normalized copy `out`, so a token after it is still at a folded word start; and push a hit for every `?` /
/// `@` (URL query strings and userinfo) and `\u` (an escape that may hide any needle) that starts in `keep`
/// (offsets of the whole input; `raw` starts at `base`). `escaped`: `raw[0]` is the second byte of an escape
/// whose backslash lies before `raw`.
fn scan_specials(
    raw: &[u8],
    base: usize,
    out: &mut [u8],
    escaped: bool,
    (keep, specials): (std::ops::Range<usize>, &[u32]),
    hits: &mut Vec<Hit>,
) {
    let fold = |out: &mut [u8], i: usize| {
        if matches!(raw.get(i), Some(b'n' | b't' | b'r' | b'b' | b'f')) {
            out[i] = b'_';
        }
    };
    // Where the next backslash can open an escape (one right after an opening backslash is its letter).
    let mut free = 0;
    if escaped {
        fold(out, 0);
        free = 1;
    }
    for i in specials.iter().map(|&i| i as usize) {
        let at = base + i;
        if raw[i] == b'\\' {
            if keep.contains(&at) && raw.get(i + 1) == Some(&b'u') {
                hits.push(Hit { at, gates: Gates::ALWAYS });
            }
            if i >= free {
                // An escape is two bytes (`\\` included); `\uXXXX` hits examine their whole string anyway.
                fold(out, i + 1);
                free = i + 2;
            }
        } else if keep.contains(&at) {
            hits.push(Hit { at, gates: Gates::ALWAYS });
        }
    }
}

/// Whether the byte at `at` is the second byte of an escape (an odd run of backslashes before it).
fn escaped_at(bytes: &[u8], at: usize) -> bool {
    bytes[..at].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// [`candidates`] that start inside `range` (a needle may run past its end), with their gates. A hit gated on
/// [`Gates::WORD_START`] is kept only at a word start (a token prefix inside a word, `risk-owner`, is no
/// token), so every hit returned needs only its string to be examined.
///
/// The search runs over a normalized copy of one 1 MiB chunk at a time (overlapping by the longest needle),
/// with the automata in case-sensitive mode: an exact search that keeps aho-corasick's SIMD path (its own
/// case-insensitive mode is six times slower on a 156 MB store) and needs no copy of the whole input. A
/// chunk's copy starts one byte early, for the word-start check.
pub fn candidate_hits(bytes: &[u8], range: std::ops::Range<usize>) -> Vec<Hit> {
    candidate_hits_in(bytes, range, &mut Scratch::default())
}

/// The buffers [`candidate_hits_in`] works in, kept by a caller that searches many ranges: a fresh normalized
/// copy was a 1 MiB allocation, zeroed, per range (a store of 160 MB is 80 ranges of the prefilter).
#[derive(Default)]
pub struct Scratch {
    lower: Vec<u8>,
    specials: Vec<u32>,
}

/// [`candidate_hits`] in `scratch`'s buffers, which it leaves for the next call.
pub fn candidate_hits_in(bytes: &[u8], range: std::ops::Range<usize>, scratch: &mut Scratch) -> Vec<Hit> {
    let needles = prefilter_needles();
    let overlap = needles.iter().map(|n| n.text.len()).max().unwrap_or(0);
    let mut hits = Vec::new();
    let Scratch { lower, specials } = scratch;
    let mut start = range.start;
    while start < range.end {
        let end = (start + CHUNK).min(range.end);
        // One byte of context before the chunk (the boundary a word-start needle opens with).
        let base = start.saturating_sub(1);
        let window = &bytes[base..(end + overlap).min(bytes.len())];
        // The copy is written over, never cleared: only bytes it grows by are zeroed (a window longer than the
        // last), and `normalize_chunk` writes every byte of it.
        lower.resize(window.len(), 0);
        normalize_chunk(window, lower, specials);
        let before = hits.len();
        scan_specials(window, base, lower, escaped_at(bytes, base), (start..end, specials), &mut hits);
        for (ac, index) in PREFILTER.iter() {
            for m in ac.find_iter(&lower[..]) {
                let mut gates = needles[index[m.pattern().as_usize()]].gates;
                let at = base + m.start();
                if !(start..end).contains(&at) {
                    continue;
                }
                if gates.has(Gates::WORD_START) {
                    // Settled here, where the normalized bytes are at hand.
                    gates = Gates(gates.0 & !Gates::WORD_START.0);
                    if starts_word(lower, m.start()) {
                        gates = gates.union(Gates::ALWAYS);
                    } else if gates == Gates::default() {
                        continue;
                    }
                }
                hits.push(Hit { at, gates });
            }
        }
        if hits.len() - before > 1 {
            hits[before..].sort_unstable_by_key(|h| h.at);
        }
        start = end;
    }
    hits
}

/// Whether [`candidates`] finds anything in `bytes` (tests and one-off checks).
pub fn has_candidate(bytes: &[u8]) -> bool {
    !candidates(bytes).is_empty()
}

/// CAVRA's own redaction markers: the exact string `"REDACTED"`, a URL whose query is exactly `?REDACTED` or
/// whose Slack services path is `…/services/REDACTED`, or any string whose secret-bearing part is `REDACTED`
/// (e.g. `"Bearer REDACTED"`, `"api_key=REDACTED"`). A string that also carries unredacted secret material is
/// not a marker.
pub fn is_cavra_redacted(value: &str) -> bool {
    let scan = scan(value);
    scan.finding.is_none() && scan.marker
}

/// Both answers for one string in a single pass: the secret it holds (if any) and whether it is a CAVRA
/// redaction marker (`is_cavra_redacted`).
pub fn classify_value(value: &str) -> (Option<SecretKind>, bool) {
    let scan = scan(value);
    let marker = scan.finding.is_none() && scan.marker;
    (scan.finding, marker)
}

/// Classify a string value found anywhere in evidence (key context unknown). Returns the first matching kind in
/// [`SecretKind`] declaration order, else `None`. CAVRA redaction markers return `None`.
pub fn detect_value_secret(value: &str) -> Option<SecretKind> {
    scan(value).finding
}

/// True when a JSON object key names secret material.
///
/// Case-insensitive (`PassWord`, `sEcReT`, `API_KEY`); `-`, `_` and camelCase word boundaries are treated alike. Matches keys whose words include
/// a secret noun (`token`, `secret`, `password`, `passwd`, `pwd`, `passphrase`, `credential(s)`, `cookie`,
/// `authorization`, and compounds such as `accessToken`) or a secret compound (`api_key`/`apikey`/`x-api-key`,
/// `private_key`, `signing_key`, `access_key`, `encryption_key`, `connection_string`, Azure's `AccountKey` and
/// `SharedAccessKey`/`SharedAccessSignature`), but not keys that describe
/// or point at a secret: a last word such as `env`, `ref`, `id`, `reference`, `hash`, `digest`, `stored`,
/// `header`, `scheme`, `state`, `count`, `type`, `algorithm`, `provider`, … (`token_env`, `private_key_stored`,
/// `api_key_header`, `authorization_scheme`), a leading `max`/`num`/`has`/`is`/…, or anything `public`.
pub fn is_secret_key(key: &str) -> bool {
    let raw = key.as_bytes();
    // Cheap rejection: every positive rule below needs one of the key stems as a raw substring.
    if !has_key_stem(raw) {
        return false;
    }
    let normalized = normalize_key(raw);
    let words: Vec<&str> = normalized.split('_').filter(|w| !w.is_empty()).collect();
    let (Some(&first), Some(&last)) = (words.first(), words.last()) else {
        return false;
    };
    if DESCRIPTOR_SUFFIXES.contains(&last) {
        return false;
    }
    if words.len() > 1 && NEGATING_PREFIXES.contains(&first) {
        return false;
    }
    if last == "tokens" && TOKEN_COUNT_PREFIXES.contains(&first) {
        return false;
    }
    if words.iter().any(|w| matches!(*w, "public" | "redacted")) {
        return false;
    }
    // Words split at separators only, so a secret word in odd case (`PassWord`, `sEcReT_ReF`) is still one
    // word; its descriptor and negating words count as well.
    let plain = key.to_ascii_lowercase();
    let plain_words: Vec<&str> = plain.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if plain_words.last().is_some_and(|w| DESCRIPTOR_SUFFIXES.contains(w))
        || (plain_words.len() > 1 && plain_words.first().is_some_and(|w| NEGATING_PREFIXES.contains(w)))
    {
        return false;
    }
    words.iter().any(|w| is_secret_word(w))
        || plain_words.iter().any(|w| is_secret_word(w))
        || KEY_COMPOUNDS.iter().any(|compound| find_ci(raw, compound.as_bytes(), 0).is_some())
}

// ---------------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------------

/// Longest key an embedded `key=value` assignment is recognised with.
const MAX_KEY_LEN: usize = 128;

/// Substrings that a secret word must contain (each is a prefilter needle, see [`structural_needles`]).
const KEY_STEMS: &[&str] = &["token", "secret", "passw", "passphrase", "pwd", "credential", "cookie", "authorization"];

/// Two-word secrets, matched in the raw key with no separator, `_` or `-` (each is a prefilter needle).
const KEY_COMPOUNDS: &[&str] = &[
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
    "signingkey",
    "signing_key",
    "signing-key",
    "accesskey",
    "access_key",
    "access-key",
    "encryptionkey",
    "encryption_key",
    "encryption-key",
    "connectionstring",
    "connection_string",
    "connection-string",
    // Azure storage connection strings (`AccountKey=…`) and Service Bus / SAS (`SharedAccessKey=…`,
    // `SharedAccessSignature=sv=…&sig=…`).
    "accountkey",
    "account_key",
    "account-key",
    "sharedaccess",
    "shared_access",
    "shared-access",
];

/// First letters of [`KEY_STEMS`] and [`KEY_COMPOUNDS`] (all lowercase).
const STEM_FIRST: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < KEY_STEMS.len() {
        table[KEY_STEMS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < KEY_COMPOUNDS.len() {
        table[KEY_COMPOUNDS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `raw` holds any of [`KEY_STEMS`] or [`KEY_COMPOUNDS`], case-insensitively: one pass over the key
/// (it runs for every `key=value` in long payload strings), comparing stems only where one could start.
fn has_key_stem(raw: &[u8]) -> bool {
    (0..raw.len()).any(|i| {
        let c = raw[i].to_ascii_lowercase();
        STEM_FIRST[usize::from(c)]
            && KEY_STEMS.iter().chain(KEY_COMPOUNDS).any(|stem| {
                let stem = stem.as_bytes();
                stem[0] == c && raw.len() - i >= stem.len() && raw[i..i + stem.len()].eq_ignore_ascii_case(stem)
            })
    })
}

/// Words (whole words, or word endings such as `accesstoken`) that name secret material.
const SECRET_WORD_ENDINGS: &[&str] = &[
    "token",
    "tokens",
    "secret",
    "secrets",
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "credential",
    "credentials",
    "cookie",
    "cookies",
    "authorization",
];

/// A last word that makes the key a reference to, or a description of, a secret rather than the secret.
const DESCRIPTOR_SUFFIXES: &[&str] = &[
    "env",
    "var",
    "ref",
    "refs",
    "reference",
    "references",
    "id",
    "ids",
    "hash",
    "hashes",
    "digest",
    "sha256",
    "sha1",
    "md5",
    "checksum",
    "fingerprint",
    "stored",
    "header",
    "headers",
    "scheme",
    "state",
    "status",
    "count",
    "type",
    "kind",
    "algorithm",
    "alg",
    "provider",
    "name",
    "names",
    "path",
    "file",
    "url",
    "uri",
    "endpoint",
    "arn",
    "at",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "age",
    "length",
    "len",
    "size",
    "policy",
    "mode",
    "method",
    "source",
    "format",
    "version",
    "present",
    "required",
    "enabled",
    "configured",
    "redacted",
    "masked",
    "label",
    "hint",
    "location",
    "field",
    "fields",
    "rotation",
    "rotated",
    "used",
    "prefix",
    "suffix",
    "domain",
    "issuer",
    "audience",
    "strategy",
    "store",
    "manager",
    "backend",
];

/// A first word that turns the key into a flag or a count.
const NEGATING_PREFIXES: &[&str] = &[
    "max", "min", "num", "number", "total", "has", "is", "no", "use", "uses", "require", "requires", "allow", "allows",
    "needs", "include", "includes", "contains", "should", "must", "supports",
];

/// `<word>_tokens` keys that count model tokens rather than hold credentials.
const TOKEN_COUNT_PREFIXES: &[&str] = &["input", "output", "prompt", "completion", "cached", "reasoning"];

fn is_secret_word(word: &str) -> bool {
    SECRET_WORD_ENDINGS.iter().any(|end| word.ends_with(end))
}

/// Lower-case a key and split it into `_`-separated words at non-alphanumerics and camelCase boundaries.
fn normalize_key(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len() + 4);
    for (i, &c) in raw.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && i > 0 {
                let prev = raw[i - 1];
                let next_lower = raw.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                    push_separator(&mut out);
                }
            }
            out.push(char::from(c.to_ascii_lowercase()));
        } else {
            push_separator(&mut out);
        }
    }
    out
}

fn push_separator(out: &mut String) {
    if !out.is_empty() && !out.ends_with('_') {
        out.push('_');
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

// Caps on how far one candidate is followed, so hostile input (thousands of overlapping candidates) stays
// near-linear. Each cap is far above what the decision needs.
/// A `Bearer` token.
const MAX_SPAN: usize = 8192;
/// The body of a prefixed token (`ghp_…`, `xoxb-…`, `sk_live_…`): only `>= 20` / `>= 10` / `>= 8` matters.
const MAX_PREFIXED_RUN: usize = 256;
/// A webhook path after its host.
const MAX_WEBHOOK_PATH: usize = 512;
/// An assigned value after `key=` / `"key": "`.
const MAX_VALUE_SCAN: usize = 256;
/// Upper bound on a URL scheme's length.
const MAX_SCHEME_LEN: usize = 256;

#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    finding: Option<SecretKind>,
    /// A CAVRA redaction marker was seen in a secret-bearing position.
    marker: bool,
}

/// Which detectors can possibly fire, from one cheap pass over the bytes.
#[derive(Debug, Default, Clone, Copy)]
struct Triggers {
    /// Space or tab (or other whitespace): `Bearer <token>`.
    space: bool,
    /// `gh` / `gi`: GitHub prefixes (`ghp_`, `github_pat_`; both case-sensitive).
    github: bool,
    /// `k_` / `c_`: Stripe prefixes (`sk_live_`, `rk_test_`, `whsec_`).
    stripe: bool,
    /// `=`: `key=value`.
    equals: bool,
    /// `:` followed by whitespace, a quote or a backslash: `key: value`, `"key": "value"`.
    colon: bool,
    /// `/`: URLs (`://`) and webhook paths.
    slash: bool,
    /// `-----`: PEM armour.
    dashes: bool,
    /// `xox`: Slack tokens.
    xox: bool,
    /// `?`: scheme-less `<path>?REDACTED` markers.
    question: bool,
}

impl Triggers {
    #[cfg_attr(not(test), allow(dead_code))]
    const ALL: Triggers = Triggers {
        space: true,
        github: true,
        stripe: true,
        equals: true,
        colon: true,
        slash: true,
        dashes: true,
        xox: true,
        question: true,
    };

    fn of(b: &[u8]) -> Triggers {
        let mut t = Triggers::default();
        for (i, &c) in b.iter().enumerate() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => t.space = true,
                b'_' if i > 0 && matches!(b[i - 1], b'k' | b'c') => t.stripe = true,
                b'g' if matches!(b.get(i + 1), Some(b'h' | b'i')) => t.github = true,
                b'=' => t.equals = true,
                b'/' => t.slash = true,
                b'?' => t.question = true,
                b':' if matches!(b.get(i + 1), Some(b' ' | b'\t' | b'"' | b'\'' | b'\\')) => {
                    t.colon = true;
                }
                b'-' if b[i..].starts_with(b"-----") => t.dashes = true,
                b'x' | b'X' if b.get(i + 1..i + 3).is_some_and(|s| s.eq_ignore_ascii_case(b"ox")) => {
                    t.xox = true;
                }
                _ => {}
            }
        }
        t
    }

    fn any(self) -> bool {
        self.space
            || self.github
            || self.stripe
            || self.equals
            || self.colon
            || self.slash
            || self.dashes
            || self.xox
            || self.question
    }
}

fn scan(value: &str) -> Scan {
    let b = value.as_bytes();
    if b == MARKER {
        return Scan { finding: None, marker: true };
    }
    scan_with(value, Triggers::of(b))
}

/// The provider-token rules (always: a token needs no trigger character), then the structural detectors the
/// triggers allow; the higher-priority kind wins.
fn scan_with(value: &str, triggers: Triggers) -> Scan {
    let token = token_secret(value);
    if !triggers.any() {
        // Common case: ids, timestamps, kebab-case control strings, states.
        return Scan { finding: token, marker: false };
    }
    let mut scan = scan_detailed(value.as_bytes(), triggers);
    if let Some(kind) = token
        && scan.finding.is_none_or(|found| kind < found)
    {
        scan.finding = Some(kind);
    }
    scan
}

fn scan_detailed(b: &[u8], t: Triggers) -> Scan {
    let mut marker = false;
    let finding = detect_detailed(b, t, &mut marker);
    if finding.is_none() && !marker && t.question {
        marker = is_pathlike_query_marker(b);
    }
    Scan { finding, marker }
}

fn detect_detailed(b: &[u8], t: Triggers, marker: &mut bool) -> Option<SecretKind> {
    if t.dashes && has_private_key_header(b) {
        return Some(SecretKind::PrivateKey);
    }
    if t.github && has_github_token(b) {
        return Some(SecretKind::GithubToken);
    }
    if t.xox && has_slack_token(b) {
        return Some(SecretKind::SlackToken);
    }
    if t.stripe && has_stripe_key(b) {
        return Some(SecretKind::StripeKey);
    }
    if t.space && has_scheme_credential(b, marker) {
        return Some(SecretKind::BearerCredential);
    }
    if t.slash {
        // One pass over the URLs; userinfo outranks a query string wherever each occurs.
        let (mut userinfo, mut query) = (false, false);
        any_url(b, |url| {
            userinfo |= url_userinfo_secret(url, marker);
            query |= url_query_secret(url, marker);
            userinfo
        });
        if userinfo {
            return Some(SecretKind::UrlUserinfo);
        }
        if query {
            return Some(SecretKind::UrlQuery);
        }
    }
    if t.slash && has_webhook_path(b, marker) {
        return Some(SecretKind::WebhookPath);
    }
    if (t.equals || t.colon) && has_secret_assignment(b, marker) {
        return Some(SecretKind::SecretField);
    }
    None
}

/// `/some/path?REDACTED` without a scheme (CAVRA's `<path-part>?REDACTED`).
fn is_pathlike_query_marker(b: &[u8]) -> bool {
    b.len() > MARKER.len() + 1
        && b.ends_with(MARKER)
        && b[b.len() - MARKER.len() - 1] == b'?'
        && !b.iter().any(u8::is_ascii_whitespace)
}

// --- byte helpers ------------------------------------------------------------------------------------------------

/// Find `needle` (given in lower case) in `hay` from `from`, ASCII case-insensitively.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let n = needle.len();
    if hay.len() < n || from > hay.len() - n {
        return None;
    }
    let last_start = hay.len() - n;
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut i = from;
    while i <= last_start {
        let p = i + memchr::memchr2(lo, up, &hay[i..=last_start])?;
        if hay[p..p + n].eq_ignore_ascii_case(needle) {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

/// Find `needle` in `hay` from `from`, case-sensitively.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if hay.len() < needle.len() || from > hay.len() - needle.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

/// Positions of every case-sensitive occurrence of `needle`.
fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let p = find(hay, needle, from)?;
        from = p + 1;
        Some(p)
    })
}

/// Positions of every ASCII case-insensitive occurrence of `needle` (given in lower case).
fn occurrences_ci<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let p = find_ci(hay, needle, from)?;
        from = p + 1;
        Some(p)
    })
}

/// No ASCII letter or digit immediately before `i`.
fn word_start(b: &[u8], i: usize) -> bool {
    i == 0 || !b[i - 1].is_ascii_alphanumeric()
}

/// Length of the run starting at `from` whose bytes satisfy `pred`, counting at most `max` bytes.
fn run_len(b: &[u8], from: usize, max: usize, pred: impl Fn(u8) -> bool) -> usize {
    b.get(from..).map_or(0, |rest| rest.iter().take(max).take_while(|&&c| pred(c)).count())
}

/// The whole run is one repeated byte (`xxxxxxxx`, `00000000`): a placeholder, not a credential.
fn is_single_repeated(s: &[u8]) -> bool {
    s.first().is_some_and(|&f| s.iter().all(|&c| c == f))
}

const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"redacted",
    b"null",
    b"none",
    b"nil",
    b"true",
    b"false",
    b"undefined",
    b"n/a",
    b"unset",
    b"not-set",
    b"not_set",
    b"empty",
    b"hidden",
    b"masked",
    b"omitted",
    b"removed",
    b"required",
    b"optional",
    b"placeholder",
];

/// Values that stand in for a secret rather than being one: masks, templates, nulls, booleans.
fn is_placeholder(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return true;
    };
    matches!(first, b'$' | b'<' | b'{' | b'%' | b'[')
        || PLACEHOLDER_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || v.iter().all(|c| matches!(c, b'*' | b'x' | b'X' | b'.' | b'#' | b'-' | b'_' | b'?' | b'0'))
}

/// `SPLUNK_HEC_TOKEN`-style environment variable names (a reference to a secret, not the secret).
fn is_env_var_name(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains(&b'_')
        && v.iter().all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

/// Heuristic for a free-standing credential: long enough, has a letter, and has a digit, mixed case or base64
/// padding/plus. Prose words (`rotation`, `authentication`), all-caps words and env var names fail.
fn looks_like_credential(tok: &[u8], min_len: usize) -> bool {
    let mut tok = tok;
    while let [rest @ .., b'.'] = tok {
        tok = rest;
    }
    if tok.len() < min_len
        || is_placeholder(tok)
        || is_env_var_name(tok)
        || is_single_repeated(tok)
        || is_date_like(tok)
    {
        return false;
    }
    let has_alpha = tok.iter().any(u8::is_ascii_alphabetic);
    let has_digit = tok.iter().any(u8::is_ascii_digit);
    let has_lower = tok.iter().any(u8::is_ascii_lowercase);
    let has_inner_upper = tok[1..].iter().any(u8::is_ascii_uppercase);
    let has_b64_symbol = tok.iter().any(|c| matches!(c, b'+' | b'='));
    has_alpha && (has_digit || (has_lower && has_inner_upper) || has_b64_symbol)
}

/// `2026-06-01…`: a date or timestamp, not a credential.
fn is_date_like(v: &[u8]) -> bool {
    v.len() >= 10
        && v[..4].iter().all(u8::is_ascii_digit)
        && v[4] == b'-'
        && v[5..7].iter().all(u8::is_ascii_digit)
        && v[7] == b'-'
        && v[8..10].iter().all(u8::is_ascii_digit)
}

// --- PEM, prefixed tokens ----------------------------------------------------------------------------------------

/// PEM armour (lower case; matched case-insensitively, followed by a space and the label).
const PEM_BEGIN: &[u8] = b"-----begin";

fn has_private_key_header(b: &[u8]) -> bool {
    occurrences_ci(b, PEM_BEGIN).any(|p| {
        if b.get(p + PEM_BEGIN.len()) != Some(&b' ') {
            return false;
        }
        let label_start = p + PEM_BEGIN.len() + 1;
        let label_len = run_len(b, label_start, 65, |c| c.is_ascii_alphanumeric() || c == b' ');
        if label_len > 64 || !b[label_start + label_len..].starts_with(b"-----") {
            return false;
        }
        let label = b[label_start..label_start + label_len].trim_ascii();
        label.len() >= "private key".len()
            && (label[label.len() - "private key".len()..].eq_ignore_ascii_case(b"private key")
                || label.eq_ignore_ascii_case(b"pgp private key block"))
    })
}

/// GitHub token prefixes (case-sensitive, at a word start; at least 20 body characters follow).
const GITHUB_PREFIXES: [&[u8]; 6] = [b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"];

fn has_github_token(b: &[u8]) -> bool {
    GITHUB_PREFIXES.iter().any(|&prefix| {
        // Fine-grained tokens (`github_pat_…`) have `_` inside their body; classic ones are alphanumeric.
        let underscore = prefix.len() > 4;
        occurrences(b, prefix).any(|p| {
            let start = p + prefix.len();
            let n = run_len(b, start, MAX_PREFIXED_RUN, |c| c.is_ascii_alphanumeric() || (underscore && c == b'_'));
            word_start(b, p) && n >= 20 && !is_single_repeated(&b[start..start + n])
        })
    })
}

/// Slack tokens: `xox` + one of [`SLACK_TYPES`] + `-`, at a word start.
const SLACK_PREFIX: &[u8] = b"xox";
const SLACK_TYPES: &[u8] = b"baprs";

fn has_slack_token(b: &[u8]) -> bool {
    occurrences(b, SLACK_PREFIX).any(|p| {
        if !word_start(b, p) || !b.get(p + 3).is_some_and(|c| SLACK_TYPES.contains(c)) || b.get(p + 4) != Some(&b'-') {
            return false;
        }
        let start = p + 5;
        let n = run_len(b, start, MAX_PREFIXED_RUN, |c| c.is_ascii_alphanumeric() || c == b'-');
        // Real Slack tokens always carry numeric workspace/user ids; `xoxb-not-a-token` does not.
        n >= 10 && b[start..start + n].iter().any(u8::is_ascii_digit)
    })
}

/// Stripe key prefixes and the shortest body each needs (case-sensitive, at a word start).
const STRIPE_PREFIXES: [(&[u8], usize); 5] =
    [(b"sk_live_", 8), (b"sk_test_", 8), (b"rk_live_", 8), (b"rk_test_", 8), (b"whsec_", 16)];

fn has_stripe_key(b: &[u8]) -> bool {
    STRIPE_PREFIXES.iter().any(|&(prefix, min)| {
        occurrences(b, prefix).any(|p| {
            let start = p + prefix.len();
            let n = run_len(b, start, MAX_PREFIXED_RUN, |c| c.is_ascii_alphanumeric());
            word_start(b, p) && n >= min && !is_single_repeated(&b[start..start + n])
        })
    })
}

// --- Authorization schemes ---------------------------------------------------------------------------------------

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// What may follow a credential token: end of text or a delimiter (not `:` or `@`, which make it something else).
fn ends_token(c: Option<&u8>) -> bool {
    match c {
        None => true,
        Some(&c) => {
            c.is_ascii_whitespace()
                || matches!(
                    c,
                    b'"' | b'\'' | b'`' | b',' | b';' | b')' | b']' | b'}' | b'&' | b'<' | b'>' | b'\\' | b'|'
                )
        }
    }
}

/// Authorization schemes followed by a credential (lower case; matched case-insensitively).
const AUTH_SCHEMES: [&[u8]; 4] = [b"bearer", b"basic", b"token", b"splunk"];

fn has_scheme_credential(b: &[u8], marker: &mut bool) -> bool {
    for scheme in AUTH_SCHEMES {
        for p in occurrences_ci(b, scheme) {
            let boundary = p == 0
                || b[p - 1].is_ascii_whitespace()
                || matches!(b[p - 1], b'"' | b'\'' | b'`' | b':' | b'=' | b'(' | b'[' | b'{' | b',' | b';' | b'>');
            let after = p + scheme.len();
            let gap = run_len(b, after, 5, |c| c == b' ' || c == b'\t');
            if !boundary || gap == 0 || gap > 4 {
                continue;
            }
            let start = after + gap;
            let n = run_len(b, start, MAX_SPAN, is_token_byte);
            let tok = &b[start..start + n];
            if n == 0 || !ends_token(b.get(start + n)) {
                continue;
            }
            if tok == MARKER {
                *marker = true;
            } else if looks_like_credential(tok, 8) {
                return true;
            }
        }
    }
    false
}

// --- URLs --------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Url<'a> {
    /// `userinfo@host:port`.
    authority: &'a [u8],
    /// The start of the text after `?` (up to `#`), when there is a `?`: at most `REDACTED`'s length plus one
    /// byte, which is enough to tell an empty query, CAVRA's marker and anything else apart.
    query: Option<&'a [u8]>,
}

fn is_scheme_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')
}

/// Where a URL embedded in text stops.
fn is_url_terminator(c: u8) -> bool {
    c <= b' ' || c >= 0x7f || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' | b'{' | b'}' | b'|' | b'^')
}

/// Call `f` on every `scheme://…` URL in `b` (anywhere in the text) until it returns true.
///
/// Linear in `b`: URLs nested in one run of URL characters share the run's end, and the search for the next
/// `?`/`#` only ever moves forward (authorities of successive URLs end at increasing offsets).
fn any_url(b: &[u8], mut f: impl FnMut(Url<'_>) -> bool) -> bool {
    // End of the current run of URL characters, after trimming trailing punctuation.
    let mut span_end = 0;
    let mut trimmed_end = 0;
    // Cached search: the first `?`/`#` at or after `qh_from` is at `qh_pos` (`trimmed_end` when none).
    let (mut qh_from, mut qh_pos) = (0, 0);
    for p in occurrences(b, b"://") {
        let mut s = p;
        while s > 0 && p - s < MAX_SCHEME_LEN && is_scheme_byte(b[s - 1]) {
            s -= 1;
        }
        while s < p && !b[s].is_ascii_alphabetic() {
            s += 1;
        }
        if s == p {
            continue;
        }
        let start = p + 3;
        if start >= span_end {
            span_end = start + run_len(b, start, usize::MAX, |c| !is_url_terminator(c));
            trimmed_end = span_end;
            while trimmed_end > start
                && matches!(b[trimmed_end - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']')
            {
                trimmed_end -= 1;
            }
            (qh_from, qh_pos) = (start, start);
            qh_pos += run_len(b, start, trimmed_end - start, |c| !matches!(c, b'?' | b'#'));
        }
        let end = trimmed_end.max(start);
        let auth_end = start + run_len(b, start, end - start, |c| !matches!(c, b'/' | b'?' | b'#'));
        if auth_end < qh_from || auth_end > qh_pos {
            qh_from = auth_end;
            qh_pos = auth_end + run_len(b, auth_end, end - auth_end, |c| !matches!(c, b'?' | b'#'));
        }
        let query = (qh_pos < end && b[qh_pos] == b'?').then(|| {
            // Only enough of the query to tell empty / exactly `REDACTED` / anything else.
            let q_start = qh_pos + 1;
            let q_len = run_len(b, q_start, (end - q_start).min(MARKER.len() + 1), |c| c != b'#');
            &b[q_start..q_start + q_len]
        });
        if f(Url { authority: &b[start..auth_end], query }) {
            return true;
        }
    }
    false
}

fn url_userinfo_secret(url: Url<'_>, marker: &mut bool) -> bool {
    let Some(at) = url.authority.iter().rposition(|&c| c == b'@') else {
        return false;
    };
    let (userinfo, host) = (&url.authority[..at], &url.authority[at + 1..]);
    if userinfo.is_empty() || host.is_empty() {
        return false;
    }
    let user = match userinfo.iter().position(|&c| c == b':') {
        Some(colon) => {
            let password = &userinfo[colon + 1..];
            if password == MARKER {
                *marker = true;
                return false;
            }
            if !is_placeholder(password) {
                return true;
            }
            &userinfo[..colon]
        }
        None => userinfo,
    };
    if user == MARKER {
        *marker = true;
        return false;
    }
    looks_like_credential(user, 16)
}

fn url_query_secret(url: Url<'_>, marker: &mut bool) -> bool {
    match url.query {
        None | Some(b"") => false,
        Some(q) if q == MARKER => {
            *marker = true;
            false
        }
        Some(_) => true,
    }
}

// --- Webhook paths -----------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum WebhookRule {
    /// `/services/…`, `/workflows/…`, `/triggers/…`.
    Slack,
    /// `/webhookb2/…`.
    TeamsOffice,
    /// `/webhook/…`.
    Outlook,
    /// `/api/webhooks/<id>/<token>` (optionally `/api/v<n>/webhooks/…`).
    Discord,
}

fn is_path_byte(c: u8) -> bool {
    !is_url_terminator(c) && !matches!(c, b'?' | b'#')
}

/// The secret-bearing rest of a webhook path: an empty/placeholder rest is nothing, `REDACTED` is a marker.
fn webhook_rest_secret(rest: &[u8], marker: &mut bool) -> bool {
    let rest = rest.strip_suffix(b"/").unwrap_or(rest);
    if rest == MARKER {
        *marker = true;
        return false;
    }
    !rest.is_empty() && !is_placeholder(rest)
}

/// Webhook hosts whose path is the secret (lower case; matched case-insensitively).
const WEBHOOK_HOSTS: [(&[u8], WebhookRule); 6] = [
    (b"hooks.slack.com", WebhookRule::Slack),
    (b"webhook.office.com", WebhookRule::TeamsOffice),
    (b"outlook.office.com", WebhookRule::Outlook),
    (b"outlook.office365.com", WebhookRule::Outlook),
    (b"discord.com", WebhookRule::Discord),
    (b"discordapp.com", WebhookRule::Discord),
];

fn has_webhook_path(b: &[u8], marker: &mut bool) -> bool {
    if find_ci(b, b".com", 0).is_none() {
        return false;
    }
    for (host, rule) in WEBHOOK_HOSTS {
        for p in occurrences_ci(b, host) {
            if p > 0 && (b[p - 1].is_ascii_alphanumeric() || b[p - 1] == b'-') {
                continue;
            }
            let mut i = p + host.len();
            if b.get(i) == Some(&b':') {
                i += 1 + run_len(b, i + 1, 5, |c| c.is_ascii_digit());
            }
            let path = &b[i..i + run_len(b, i, MAX_WEBHOOK_PATH, is_path_byte)];
            let secret = match rule {
                WebhookRule::Slack => [&b"/services/"[..], b"/workflows/", b"/triggers/"]
                    .iter()
                    .any(|prefix| path_rest(path, prefix).is_some_and(|rest| webhook_rest_secret(rest, marker))),
                WebhookRule::TeamsOffice => {
                    path_rest(path, b"/webhookb2/").is_some_and(|rest| webhook_rest_secret(rest, marker))
                }
                WebhookRule::Outlook => {
                    path_rest(path, b"/webhook/").is_some_and(|rest| webhook_rest_secret(rest, marker))
                }
                WebhookRule::Discord => discord_webhook_secret(path, marker),
            };
            if secret {
                return true;
            }
        }
    }
    false
}

/// The path after `prefix` (given in lower case), when the path starts with it.
fn path_rest<'a>(path: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (path.len() >= prefix.len() && path[..prefix.len()].eq_ignore_ascii_case(prefix)).then(|| &path[prefix.len()..])
}

fn discord_webhook_secret(path: &[u8], marker: &mut bool) -> bool {
    let Some(mut rest) = path_rest(path, b"/api/") else {
        return false;
    };
    // Optional API version segment: /api/v10/webhooks/…
    if rest.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'v')) {
        let digits = run_len(rest, 1, 5, |c| c.is_ascii_digit());
        if digits > 0 && rest.get(1 + digits) == Some(&b'/') {
            rest = &rest[digits + 2..];
        }
    }
    let Some(rest) = path_rest(rest, b"webhooks/") else {
        return false;
    };
    let Some(slash) = rest.iter().position(|&c| c == b'/') else {
        return false;
    };
    slash > 0 && webhook_rest_secret(&rest[slash + 1..], marker)
}

// --- Embedded assignments ----------------------------------------------------------------------------------------

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

fn ends_unquoted_value(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(c, b',' | b';' | b'&' | b'"' | b'\'' | b')' | b']' | b'}' | b'<' | b'>' | b'\\' | b'|' | b'`')
}

/// `key=value`, `key: value`, `"key": "value"`, `'key': 'value'`, `\"key\": \"value\"` with a secret key.
fn has_secret_assignment(b: &[u8], marker: &mut bool) -> bool {
    (0..b.len()).any(|i| {
        let is_separator =
            b[i] == b'=' || (b[i] == b':' && matches!(b.get(i + 1), Some(b' ' | b'\t' | b'"' | b'\'' | b'\\')));
        is_separator && assignment_secret(b, i, marker)
    })
}

fn assignment_secret(b: &[u8], sep: usize, marker: &mut bool) -> bool {
    // The key, walking back from the separator.
    let mut j = sep;
    while j > 0 && matches!(b[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    let key_quote = match j.checked_sub(1).map(|k| b[k]) {
        Some(q @ (b'"' | b'\'')) => {
            j -= 1;
            if j > 0 && b[j - 1] == b'\\' {
                j -= 1;
            }
            Some(q)
        }
        _ => None,
    };
    let key_end = j;
    while j > 0 && key_end - j <= MAX_KEY_LEN && is_key_byte(b[j - 1]) {
        j -= 1;
    }
    if j == key_end || key_end - j > MAX_KEY_LEN {
        return false;
    }
    if let Some(q) = key_quote
        && (j == 0 || b[j - 1] != q)
    {
        return false;
    }
    let Ok(key) = std::str::from_utf8(&b[j..key_end]) else {
        return false;
    };
    if !is_secret_key(key) {
        return false;
    }

    // The value, walking forward.
    let gap = run_len(b, sep + 1, 8, |c| c == b' ' || c == b'\t');
    if b[sep] == b':'
        && key_quote.is_none()
        && gap == 0
        && b.get(sep + 1) != Some(&b'"')
        && b.get(sep + 1) != Some(&b'\'')
    {
        // `urn:token:x`, `ext-sig:…`: a colon without a space is not a YAML/header assignment.
        return false;
    }
    let v = sep + 1 + gap;
    let (value, quoted) = match (b.get(v), b.get(v + 1)) {
        (Some(&q @ (b'"' | b'\'')), _) => {
            let start = v + 1;
            let n = run_len(b, start, MAX_VALUE_SCAN, |c| c != q);
            (&b[start..start + n], true)
        }
        (Some(b'\\'), Some(&q @ (b'"' | b'\''))) => {
            let start = v + 2;
            let n = run_len(b, start, MAX_VALUE_SCAN, |c| c != q);
            let value = &b[start..start + n];
            (value.strip_suffix(b"\\").unwrap_or(value), true)
        }
        _ => {
            let n = run_len(b, v, MAX_VALUE_SCAN, |c| !ends_unquoted_value(c));
            (&b[v..v + n], false)
        }
    };
    classify_assigned_value(value, quoted, b[sep], marker)
}

fn classify_assigned_value(value: &[u8], quoted: bool, sep: u8, marker: &mut bool) -> bool {
    if value.is_empty() {
        return false;
    }
    if value == MARKER || is_scheme_marker(value) {
        *marker = true;
        return false;
    }
    if is_placeholder(value) || is_env_var_name(value) {
        return false;
    }
    if quoted {
        // A quoted value under a secret key is the secret, unless it is prose (schemes were checked earlier).
        value.len() >= 4 && !value.iter().any(u8::is_ascii_whitespace)
    } else if sep == b'=' {
        value.len() >= 4
    } else {
        // `Password: required for login` is prose; `Password: hunter22` is not.
        looks_like_credential(value, 6)
    }
}

/// `Bearer REDACTED` and friends: one scheme word followed by the marker.
fn is_scheme_marker(value: &[u8]) -> bool {
    let mut parts = value.split(u8::is_ascii_whitespace).filter(|p| !p.is_empty());
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(scheme), Some(MARKER), None) if scheme.iter().all(u8::is_ascii_alphabetic)
    )
}

/// Strings generated from a rule's regex, for property tests (deterministic per seed).
#[cfg(test)]
pub(crate) fn sample_matching(pattern: &str, seed: u64) -> String {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn next(rng: &mut u64) -> u64 {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng
    }
    fn walk(h: &Hir, rng: &mut u64, out: &mut String) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
            HirKind::Class(Class::Unicode(c)) => {
                let ranges = c.ranges();
                let r = ranges[(next(rng) % ranges.len() as u64) as usize];
                let span = (r.end() as u64).min(0x7e).saturating_sub(r.start() as u64) + 1;
                out.push(char::from_u32(r.start() as u32 + (next(rng) % span) as u32).unwrap_or('a'));
            }
            HirKind::Class(Class::Bytes(c)) => {
                let ranges = c.ranges();
                let r = ranges[(next(rng) % ranges.len() as u64) as usize];
                let span = u64::from(r.end().min(0x7e)).saturating_sub(u64::from(r.start())) + 1;
                out.push(char::from(r.start() + (next(rng) % span) as u8));
            }
            HirKind::Repetition(rep) => {
                let max = rep.max.unwrap_or(rep.min + 16).min(rep.min + 16);
                let n = rep.min + (next(rng) % u64::from(max - rep.min + 1)) as u32;
                for _ in 0..n {
                    walk(&rep.sub, rng, out);
                }
            }
            HirKind::Capture(c) => walk(&c.sub, rng, out),
            HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, rng, out)),
            HirKind::Alternation(alts) => walk(&alts[(next(rng) % alts.len() as u64) as usize], rng, out),
        }
    }
    let hir = regex_syntax::Parser::new().parse(pattern).expect("rule regex parses");
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::new();
    walk(&hir, &mut rng, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Build fake credentials from pieces so that this file itself does not look like it leaks one.
    fn fake(parts: &[&str]) -> String {
        parts.concat()
    }

    fn pem(label: &str) -> String {
        fake(&[
            "-----",
            "BEGIN ",
            label,
            "-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----",
            "END ",
            label,
            "-----\n",
        ])
    }

    /// (value, expected kind) — every positive example used below.
    fn positive_values() -> Vec<(String, SecretKind)> {
        use SecretKind::*;
        vec![
            // PrivateKey
            (pem("RSA PRIVATE KEY"), PrivateKey),
            (pem("PRIVATE KEY"), PrivateKey),
            (pem("OPENSSH PRIVATE KEY"), PrivateKey),
            (pem("ENCRYPTED PRIVATE KEY"), PrivateKey),
            (pem("EC PRIVATE KEY"), PrivateKey),
            (pem("PGP PRIVATE KEY BLOCK"), PrivateKey),
            (fake(&["key material: ", &pem("RSA PRIVATE KEY")]), PrivateKey),
            // GithubToken
            (fake(&["gh", "p_", "R4nd0mT0kenValue1234567890abcdEFGHij"]), GithubToken),
            (fake(&["gh", "s_", "abcdefghij0123456789KLMN"]), GithubToken),
            (fake(&["clone with gh", "o_", "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2 please"]), GithubToken),
            (fake(&["github", "_pat_", "11ABCDEFG0123456789_abcdefghijKLMNOP"]), GithubToken),
            // SlackToken
            (fake(&["xo", "xb-", "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"]), SlackToken),
            (fake(&["token=xo", "xp-", "9876543210-abcdef"]), SlackToken),
            // StripeKey
            (fake(&["sk", "_live_", "51H8abcdEFGHijkl0123"]), StripeKey),
            (fake(&["sk", "_test_", "4eC39HqLyjWDarjtT1zdp7dc"]), StripeKey),
            (fake(&["config rk", "_live_", "Ab12Cd34Ef56"]), StripeKey),
            (fake(&["wh", "sec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]), StripeKey),
            // BearerCredential
            (fake(&["Bearer ", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig"]), BearerCredential),
            (fake(&["Authorization: Basic ", "dXNlcjpwYXNzd29yZA=="]), BearerCredential),
            (fake(&["bearer ", "a1b2c3d4e5f6"]), BearerCredential),
            (fake(&["Token ", "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"]), BearerCredential),
            (fake(&["{\"authorization\": \"Splunk ", "12345678-aaaa-bbbb-cccc-1234567890ab\"}"]), BearerCredential),
            // UrlUserinfo
            (fake(&["https://deploy:", "hunter2", "@example.com/repo.git"]), UrlUserinfo),
            (fake(&["postgres://app:", "s3cr3tPW", "@db.internal:5432/app"]), UrlUserinfo),
            (fake(&["see https://", "a1b2c3d4e5f6a7b8c9d0", "@git.example.com/x for details"]), UrlUserinfo),
            (fake(&["ftp://user:", "REDACTED", "x@files.example.com/"]), UrlUserinfo),
            // UrlQuery
            (fake(&["https://h.example/x?", "token=abc"]), UrlQuery),
            (fake(&["https://store.blob.core.windows.net/c/blob?", "sv=2022&sig=Abc%2Bdef"]), UrlQuery),
            (fake(&["{\"url\": \"http://127.0.0.1:9/cavra?", "token=secret\"}"]), UrlQuery),
            (fake(&["delivered to custom-scheme://host/path?", "k=v)."]), UrlQuery),
            (fake(&["https://closeout-hooks.example.invalid/cavra/final-closeout?", "REDACTEDX"]), UrlQuery),
            // WebhookPath
            (fake(&["https://hooks.slack.com/services/", "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"]), WebhookPath),
            (
                fake(&[
                    "https://contoso.webhook.office.com/webhookb2/",
                    "1234abcd-0000@tenant/IncomingWebhook/abc/def",
                ]),
                WebhookPath,
            ),
            (fake(&["https://discord.com/api/webhooks/", "123456789012345678/AbCdEf-token_value"]), WebhookPath),
            (fake(&["post to https://outlook.office.com/webhook/", "a1b2c3/IncomingWebhook/d4e5"]), WebhookPath),
            (fake(&["hooks.slack.com/services/", "T1/B2/c3"]), WebhookPath),
            // Priority: the most specific kind wins.
            (fake(&["https://x-access-token:gh", "s_", "abcdefghij0123456789KLMN@github.com/o/r"]), GithubToken),
            (fake(&["https://hooks.slack.com/services/T1/B2/c3?", "x=1"]), UrlQuery),
            // Catalogue and local token rules (fake tokens of the right shape, built from pieces).
            (fake(&["AK", "IA", "Z7QF3XK2M9P4TB6W"]), AwsAccessKey),
            (fake(&["aws key ", "AS", "IA", "Q4TB6WZ7QF3XK2M9", " in text"]), AwsAccessKey),
            (fake(&["gl", "pat-", "Zx9Qm2Lp7Rt4Vb8Nc3Kd"]), GitlabToken),
            (fake(&["token: gl", "pat-", "a1B2c3D4e5F6g7H8i9J0"]), GitlabToken),
            (fake(&["np", "m_", "Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5"]), NpmToken),
            (fake(&["//registry.example/:_authToken=np", "m_", "Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5"]), NpmToken),
            (fake(&["sk", "-ant-", "api03-", "Zq8Wm3Np6Rt2Vx9Lk4Hj7Gf5Dd1Ss0Aa2Bb3Cc4"]), AnthropicKey),
            (fake(&["key sk", "-ant-", "admin01-", "Q2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcV"]), AnthropicKey),
            (fake(&["sk", "-proj-", "Q2w3E4r5T6y7U8i9O0pAsDfGhJkL"]), OpenaiKey),
            (fake(&["sk", "-", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4"]), OpenaiKey),
            (fake(&["AI", "za", "SyQ2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVb"]), GoogleApiKey),
            // A token in a URL query is reported as the token (the more specific kind).
            (fake(&["https://maps.example/api?key=AI", "za", "SyQ2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVb"]), GoogleApiKey),
            (fake(&["maps key AI", "za", "Sy0000000000aaaaaaaaaaBBBBBBBBBBccc"]), GoogleApiKey),
            (
                fake(&["SG", ".", "Zq8Wm3Np6Rt2Vx9Lk4Hj7G", ".", "f5Dd1Ss0Aa2Bb3Cc4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm"]),
                SendgridKey,
            ),
            (
                fake(&[
                    "mail via SG",
                    ".",
                    "a1b2c3d4e5f6g7h8i9j0kL",
                    ".",
                    "M1n2O3p4Q5r6S7t8U9v0W1x2Y3z4A5b6C7d8E9f0G1h",
                ]),
                SendgridKey,
            ),
            (fake(&["hf", "_", "QwErTy12345AsDfGh6789ZxCv"]), HuggingfaceToken),
            (fake(&["HF_TOKEN is hf", "_", "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7"]), HuggingfaceToken),
            (fake(&["ey", "JhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiJkZW1vIn0", ".", "c2lnbmF0dXJlLXZhbHVl"]), Jwt),
            (fake(&["id token ey", "J0eXAiOiJKV1QifQ", ".", "eyJpc3MiOiJ4In0", ".", "QUJDREVGRzEyMzQ"]), Jwt),
            (fake(&["cs", "k-", "Ab12Cd34Ef56Gh78Ij90Kl"]), ProviderToken),
            (fake(&["tgp", "_v1_", "Zq8Wm3Np6Rt2Vx9Lk4Hj7Gf5"]), ProviderToken),
            // Azure connection strings (key compounds) and SAS URLs.
            (
                fake(&[
                    "DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=",
                    "Zq8Wm3Np6Rt2Vx9Lk4Hj7Gf5Dd1Ss0Aa2Bb3Cc4==;EndpointSuffix=core.windows.net",
                ]),
                SecretField,
            ),
            (
                fake(&[
                    "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;",
                    "SharedAccessKey=",
                    "Q2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcV=",
                ]),
                SecretField,
            ),
            (
                fake(&[
                    "BlobEndpoint=https://a1.blob.core.windows.net/;SharedAccessSignature=",
                    "sv=2022-11-02&sig=Ab1",
                ]),
                SecretField,
            ),
            // SecretField (embedded assignments)
            (fake(&["{\"client_secret\": \"", "zyxwvut\"}"]), SecretField),
            (fake(&["password=", "hunter22"]), SecretField),
            (fake(&["X-Api-Key: ", "abcd1234efgh"]), SecretField),
            (fake(&["{\\\"token\\\": \\\"", "opaque-value\\\"}"]), SecretField),
            (fake(&["DATADOG_API_KEY=", "0123456789abcdef"]), SecretField),
        ]
    }

    /// Near misses (tagged with the kind they nearly are) and ordinary evidence strings: must not be flagged.
    fn negative_values() -> Vec<(Option<SecretKind>, &'static str)> {
        use SecretKind::*;
        vec![
            // PrivateKey near misses
            (
                Some(PrivateKey),
                concat!(
                    "-----BEGIN PUBLIC KEY-----\n",
                    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8QuKUpRKfFL\n",
                    "fRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END PUBLIC KEY-----",
                ),
            ),
            (Some(PrivateKey), "-----BEGIN CERTIFICATE-----"),
            (Some(PrivateKey), "community-edition-does-not-hold-private-signing-keys"),
            (Some(PrivateKey), "values matching -----BEGIN … PRIVATE KEY-----"),
            // GithubToken near misses
            (Some(GithubToken), "ghp_"),
            (Some(GithubToken), "ghp_short123"),
            (Some(GithubToken), "ghx_abcdefghij0123456789KLMN"),
            (Some(GithubToken), "highp_abcdefghij0123456789KLMN"),
            (Some(GithubToken), "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
            // SlackToken near misses
            (Some(SlackToken), "xoxb-"),
            (Some(SlackToken), "xoxb-not-a-real-token"),
            (Some(SlackToken), "xoxz-1234567890-abc"),
            // StripeKey near misses
            (Some(StripeKey), "sk_test"),
            (Some(StripeKey), "sk_live_"),
            (Some(StripeKey), "sk_live_short"),
            (Some(StripeKey), "disk_test_abcdefgh1234"),
            (Some(StripeKey), "pk_live_51H8abcdEFGHijkl0123"),
            // BearerCredential near misses
            (Some(BearerCredential), "Bearer REDACTED"),
            (Some(BearerCredential), "Bearer"),
            (Some(BearerCredential), "Bearer ${TOKEN}"),
            (Some(BearerCredential), "Bearer <token>"),
            (Some(BearerCredential), "Basic authentication is disabled"),
            (Some(BearerCredential), "the bearer of this document"),
            (Some(BearerCredential), "token rotation is handled by the operator"),
            (Some(BearerCredential), "token SPLUNK_HEC_TOKEN"),
            (Some(BearerCredential), "closeout-requires-token-refresh"),
            (Some(BearerCredential), "Bearer ********"),
            // UrlUserinfo near misses
            (Some(UrlUserinfo), "ssh://git@github.com/org/repo.git"),
            (Some(UrlUserinfo), "https://medium.com/@someone/post"),
            (Some(UrlUserinfo), "https://www.npmjs.com/package/@scope/pkg"),
            (Some(UrlUserinfo), "mailto:someone@example.com"),
            (Some(UrlUserinfo), "https://user:REDACTED@host.example/x"),
            // UrlQuery near misses
            (Some(UrlQuery), "https://x.example/a?REDACTED"),
            (Some(UrlQuery), "https://closeout-hooks.example.invalid/cavra/final-closeout?REDACTED"),
            (Some(UrlQuery), "http://127.0.0.1:9/cavra?REDACTED"),
            (Some(UrlQuery), "https://x.example/a?"),
            (Some(UrlQuery), "see (https://x.example/a?REDACTED)."),
            (Some(UrlQuery), "what? https://x.example/plain-path"),
            (
                Some(UrlQuery),
                "s3-object-lock://cavra-fixture-archive/REL-2026.06-go-backend-rollback-drill/auditor-export.json",
            ),
            (Some(UrlQuery), "go-rollback-drill-final-readiness-bundle://gordackfinalbundle-2e231b586c36180b"),
            // WebhookPath near misses
            (Some(WebhookPath), "https://hooks.slack.com/services/REDACTED"),
            (Some(WebhookPath), "https://hooks.slack.com/services/"),
            (Some(WebhookPath), "https://hooks.slack.com/"),
            (Some(WebhookPath), "https://discord.com/api/webhooks/123456789012345678"),
            (Some(WebhookPath), "https://discord.com/channels/1/2"),
            (Some(WebhookPath), "https://splunk-hec.example.invalid:8088/services/collector/event"),
            (Some(WebhookPath), "https://notslack-hooks.slack.com.evil/services/"),
            // SecretField near misses
            (Some(SecretField), "token_env=SPLUNK_HEC_TOKEN"),
            (Some(SecretField), "{\"token_env\": \"SPLUNK_HEC_TOKEN\"}"),
            (Some(SecretField), "{\"authorization\": \"REDACTED\", \"x-api-key\": \"REDACTED\"}"),
            (Some(SecretField), "{\"signature_key_id\": \"demo-external-kms-key-ref\", \"private_key_stored\": false}"),
            (Some(SecretField), "{\"authorization_scheme\": \"Bearer\", \"api_key_header\": \"dd-api-key\"}"),
            (Some(SecretField), "Password: required for login"),
            (Some(SecretField), "token: 2026-06-01T09:00:00Z"),
            (Some(SecretField), "- Secret: not stored in the community edition"),
            (Some(SecretField), "ext-sig:ed25519:MEUCIQDfixtureExternalSignatureValueOnly"),
            (Some(SecretField), "urn:token:abc123def"),
            (Some(SecretField), "password="),
            (Some(SecretField), "token=***"),
            // Token rule near misses
            (Some(AwsAccessKey), "AKIAXXXXXXXXXXXXXXXX"),
            (Some(AwsAccessKey), "AKIA1234"),
            (Some(AwsAccessKey), "xAKIAZ7QF3XK2M9P4TB6W"),
            (Some(GitlabToken), "glpat-short"),
            (Some(GitlabToken), "glpat-xxxxxxxxxxxxxxxxxxxx"),
            (Some(NpmToken), "npm_config_cache"),
            (Some(NpmToken), "npm_Ab3Cd5Ef7Gh9"),
            (Some(AnthropicKey), "sk-ant-short"),
            (Some(AnthropicKey), "sk-ant-your-key-goes-here-in-the-config"),
            (Some(OpenaiKey), "sk-your-api-key-goes-here"),
            (Some(OpenaiKey), "risk-assessment-1234567890abcdefXYZ"),
            (Some(OpenaiKey), "task-owner-release-risk-owner"),
            (Some(GoogleApiKey), "AIzaShort123"),
            (Some(GoogleApiKey), "xAIzaSyQ2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVb"),
            (Some(SendgridKey), "SG.short.x"),
            (Some(SendgridKey), "msg.example.invalid"),
            (Some(HuggingfaceToken), "hf_short"),
            (Some(HuggingfaceToken), "hf_xxxxxxxxxxxxxxxxxxxxxxxx"),
            (Some(Jwt), "eyJhbGciOiJIUzI1NiJ9"),
            (Some(Jwt), "eyJ.a.b"),
            (Some(ProviderToken), "csk-short"),
            (Some(ProviderToken), "tgp_v1_x"),
            // Ordinary evidence strings
            (None, "gordackfinalbundle-2e231b586c36180b"),
            (None, "2026-06-01T09:00:00Z"),
            (None, "2026-06-01T09:05:00+00:00"),
            (None, "ready_with_accepted_risk"),
            (None, "community-edition-does-not-store-connector-credentials"),
            (None, "selected-provider-does-not-include-connector-secret-material"),
            (
                None,
                concat!(
                    "Keep connector secrets, private URLs, customer payloads, and enterprise automation ",
                    "outside the Community repository.",
                ),
            ),
            (None, ""),
            (None, "REDACTED"),
            (None, "ünïcödé: tëxt → ok"),
        ]
    }

    #[test]
    fn key_stem_check_agrees_with_a_substring_search() {
        let stems = || KEY_STEMS.iter().chain(KEY_COMPOUNDS);
        for key in [
            "",
            "t",
            "tok",
            "token",
            "xTOKENx",
            "api-KEY",
            "ApiKey",
            "apikeys",
            "my_pwd",
            "PWD",
            "cookieJar",
            "auth",
            "authorization",
            "Authorizatio",
            "connection_strin",
            "secre",
            "x_secret_y",
            "passwd",
            "passphrase_id",
        ] {
            let naive = stems().any(|s| key.to_ascii_lowercase().contains(s));
            assert_eq!(has_key_stem(key.as_bytes()), naive, "{key:?}");
        }
        for s in stems() {
            assert!(has_key_stem(s.to_ascii_uppercase().as_bytes()), "{s}");
            assert!(!has_key_stem(&s.as_bytes()[1..]) || stems().any(|t| s[1..].contains(t)), "{s}");
        }
    }

    #[test]
    fn names_match_serde_and_labels_are_distinct() {
        let mut labels = std::collections::HashSet::new();
        for kind in SecretKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert!(labels.insert(kind.label()), "duplicate label {}", kind.label());
        }
        assert_eq!(SecretKind::UrlUserinfo.label(), "URL credentials");
        assert_eq!(SecretKind::GithubToken.label(), "GitHub token");
        let mut sorted = SecretKind::ALL;
        sorted.sort();
        assert_eq!(sorted, SecretKind::ALL, "ALL is in declaration (priority) order");
    }

    #[test]
    fn every_kind_has_two_positive_and_two_near_miss_examples() {
        let positives = positive_values();
        let negatives = negative_values();
        for kind in SecretKind::ALL {
            let n = positives.iter().filter(|(_, k)| *k == kind).count();
            assert!(n >= 2, "{kind:?} has only {n} positive examples");
            let n = negatives.iter().filter(|(k, _)| *k == Some(kind)).count();
            assert!(n >= 2, "{kind:?} has only {n} near-miss examples");
        }
    }

    #[test]
    fn positive_values_are_detected_as_expected_kind() {
        for (value, kind) in positive_values() {
            assert_eq!(detect_value_secret(&value), Some(kind), "value #{} of kind {kind:?}", value.len());
            assert!(!is_cavra_redacted(&value), "a secret is not a redaction marker ({kind:?})");
        }
    }

    #[test]
    fn negative_values_are_not_detected() {
        for (_, value) in negative_values() {
            assert_eq!(detect_value_secret(value), None, "near miss flagged: {value:?}");
        }
    }

    #[test]
    fn priority_order_is_declaration_order() {
        // A GitHub token inside URL userinfo is reported as the more specific GitHub token.
        let v = fake(&["https://x-access-token:gh", "s_", "abcdefghij0123456789KLMN@github.com/o/r"]);
        assert_eq!(detect_value_secret(&v), Some(SecretKind::GithubToken));
        // A Slack webhook with a query string is a query-string finding first.
        let v = fake(&["https://hooks.slack.com/services/T1/B2/c3?", "x=1"]);
        assert_eq!(detect_value_secret(&v), Some(SecretKind::UrlQuery));
    }

    #[test]
    fn cavra_redaction_markers() {
        for marker in [
            "REDACTED",
            "https://hooks.slack.com/services/REDACTED",
            "https://closeout-hooks.example.invalid/cavra/final-closeout?REDACTED",
            "http://127.0.0.1:9/cavra?REDACTED",
            "/cavra/final-closeout?REDACTED",
            "Bearer REDACTED",
            "Splunk REDACTED",
            "api_key=REDACTED",
            "{\"authorization\": \"Bearer REDACTED\"}",
            "https://user:REDACTED@host.example/x",
        ] {
            assert!(is_cavra_redacted(marker), "not recognised as a marker: {marker:?}");
            assert_eq!(detect_value_secret(marker), None, "{marker:?}");
        }
        for not_marker in [
            "",
            "redacted",
            "[REDACTED]",
            "REDACTED-ish",
            "https://x.example/a?REDACTEDX",
            "https://hooks.slack.com/services/T1/B2/c3?REDACTED",
            "https://user:pw@host.example/x?REDACTED",
            "the word REDACTED in prose",
            "ready",
        ] {
            assert!(!is_cavra_redacted(not_marker), "wrongly a marker: {not_marker:?}");
        }
    }

    /// How a caller that knows the key reports it (what the fixture sweep does).
    fn field_finding(key: &str, value: &str) -> Option<SecretKind> {
        detect_value_secret(value).or_else(|| {
            (is_secret_key(key) && !value.is_empty() && !is_cavra_redacted(value)).then_some(SecretKind::SecretField)
        })
    }

    #[test]
    fn keyed_secret_fields() {
        for (key, value) in [
            ("password", "hunter2"),
            ("client_secret", "abc"),
            ("x-api-key", "0123456789abcdef"),
            ("webhookSecret", "opaque"),
        ] {
            assert_eq!(field_finding(key, value), Some(SecretKind::SecretField), "{key}");
            let json = format!("{}:", serde_json::to_string(key).unwrap());
            assert!(has_candidate(json.as_bytes()), "prefilter misses key {key:?}");
        }
        for (key, value) in [
            ("authorization", "REDACTED"),
            ("authorization", "Bearer REDACTED"),
            ("token", ""),
            ("token_env", "SPLUNK_HEC_TOKEN"),
            ("signature", "ext-sig:ed25519:MEUCIQDfixtureExternalSignatureValueOnly"),
            ("signature_key_id", "demo-external-kms-key-ref"),
            ("key_reference", "demo-external-kms-key-ref"),
            ("authorization_scheme", "Bearer"),
            ("api_key_header", "dd-api-key"),
        ] {
            assert_eq!(field_finding(key, value), None, "{key}: {value}");
        }
    }

    fn secret_keys() -> Vec<&'static str> {
        vec![
            "token",
            "access_token",
            "refresh_token",
            "id_token",
            "accessToken",
            "secret",
            "client_secret",
            "clientSecret",
            "webhook_secret",
            "secret_key",
            "aws_secret_access_key",
            "password",
            "Password",
            "db_password",
            "passwd",
            "pwd",
            "passphrase",
            "api_key",
            "apiKey",
            "APIKey",
            "apikey",
            "x-api-key",
            "X-Api-Key",
            "dd-api-key",
            "DD_API_KEY",
            "private_key",
            "privateKey",
            "signing_key",
            "signingKey",
            "authorization",
            "Authorization",
            "proxy-authorization",
            "credential",
            "credentials",
            "cookie",
            "set-cookie",
            "Set-Cookie",
            "session_token",
            "sessionToken",
            "connection_string",
            "connectionString",
            "access_key",
            "encryption_key",
            "slack_webhook_secret",
            "csrftoken",
        ]
    }

    fn non_secret_keys() -> Vec<&'static str> {
        vec![
            "token_env",
            "tokenEnv",
            "authorization_env",
            "api_key_env",
            "secret_ref",
            "secretRef",
            "key_reference",
            "signature",
            "signature_key_id",
            "signature_algorithm",
            "signature_state",
            "redacted",
            "private_key_stored",
            "api_key_header",
            "authorization_scheme",
            "public_key",
            "publicKey",
            "password_hash",
            "token_type",
            "token_count",
            "secret_digest",
            "credential_provider",
            "access_key_id",
            "token_expires_at",
            "max_tokens",
            "prompt_tokens",
            "has_secret",
            "is_password_set",
            "tokenizer",
            "secretary",
            "passwordless",
            "key",
            "id",
            "session_id",
            "metadata_session_id",
            "live_connector_used",
            "auth_mode",
            "endpoint_ref",
            "content-type",
            "headers",
            "url",
            "",
            "_",
        ]
    }

    #[test]
    fn secret_keys_are_recognised() {
        for key in secret_keys() {
            assert!(is_secret_key(key), "should be a secret key: {key:?}");
        }
    }

    #[test]
    fn reference_and_descriptor_keys_are_not_secret() {
        for key in non_secret_keys() {
            assert!(!is_secret_key(key), "should not be a secret key: {key:?}");
        }
    }

    #[test]
    fn key_normalization_splits_words() {
        assert_eq!(normalize_key(b"APIKey"), "api_key");
        assert_eq!(normalize_key(b"XApiKey"), "x_api_key");
        assert_eq!(normalize_key(b"oauth2Token"), "oauth2_token");
        assert_eq!(normalize_key(b"dd--api__key"), "dd_api_key");
        assert_eq!(normalize_key(b"TOKEN_ENV"), "token_env");
    }

    /// The bytes the needles do not find are hits wherever they fall, and an escape's letter counts as a word
    /// break only when its backslash opens the escape: checked with the escape's backslash on either side of a
    /// chunk border, and after an escaped backslash.
    #[test]
    fn escapes_queries_and_userinfo_are_hits_across_chunk_borders() {
        // `\n` then a word-start needle (a hit); an escaped backslash then `n` (no word start: no hit); `?`,
        // `@`, and `\u` (each a hit, the last one also after an escaped backslash).
        let snippet = br#"\nghp_x \\nghp_y ?q @u \u0041 \\u"#;
        let find = |needle: &[u8], from: usize| {
            from + snippet[from..].windows(needle.len()).position(|w| w == needle).unwrap()
        };
        let first_ghp = find(b"ghp_", 0);
        let second_ghp = find(b"ghp_", first_ghp + 1);
        let query = find(b"?", 0);
        let user = find(b"@", 0);
        let escape = find(br"\u0041", 0);
        let late_escape = find(br"\u", escape + 1);
        for before in [(1 << 20) - 2, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 5] {
            // Letters before the snippet: no needle of theirs, and no word start at the snippet's first byte.
            let mut text = vec![b'q'; before];
            text.extend_from_slice(snippet);
            text.extend_from_slice(b" tail");
            let hits = candidates(&text);
            let at = |i: usize| before + i;
            assert!(hits.contains(&at(first_ghp)), "after an escape, at {before}: {hits:?}");
            assert!(!hits.contains(&at(second_ghp)), "after an escaped backslash, at {before}: {hits:?}");
            for (what, i) in [("?", query), ("@", user), ("\\u", escape), ("\\u late", late_escape)] {
                assert!(hits.contains(&at(i)), "{what} at {before}: {hits:?}");
            }
            assert!(hits.windows(2).all(|w| w[0] < w[1]), "ascending and distinct: {hits:?}");
        }
    }

    /// The one-pass copy is [`normalize_byte`] of every byte, and its specials are exactly the `?`, `@` and `\\`
    /// bytes, at every length and alignment, for every byte value.
    #[test]
    fn the_normalized_copy_and_its_specials_are_those_of_the_byte_rules() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        bytes.extend(0..=255u8);
        bytes.extend(b"?@\\\\?@".repeat(9));
        let mut specials = Vec::new();
        for start in [0, 1, 5, 31, 32, 33] {
            for len in [0, 1, 31, 32, 33, 64, 100, 1000, bytes.len() - start] {
                let raw = &bytes[start..start + len];
                let mut out = vec![0u8; len];
                normalize_chunk(raw, &mut out, &mut specials);
                let expected: Vec<u8> = raw.iter().map(|&b| normalize_byte(b)).collect();
                assert_eq!(out, expected, "start {start} len {len}");
                let at: Vec<u32> =
                    (0..len).filter(|&i| matches!(raw[i], b'?' | b'@' | b'\\')).map(|i| i as u32).collect();
                assert_eq!(specials, at, "start {start} len {len}");
            }
        }
        assert!(specials.len() > 50, "the input holds specials to find");
    }

    #[test]
    fn a_reused_scratch_finds_what_a_fresh_one_does_whatever_came_before() {
        // Needles and specials at chunk edges, spread over more than two chunks; ranges that grow, shrink and
        // start mid-word, so a buffer left longer or dirtier than the next window would show.
        let mut text = Vec::new();
        let mut k = 0usize;
        while text.len() < 2 * CHUNK + 5000 {
            let piece: &[u8] = match k % 5 {
                0 => b"{\"password\": \"ghp_x\"} ",
                1 => b"risk-owner tokens? a@b \\u0041 ",
                2 => b"\"Authorization\": \"Bearer abc\" ",
                3 => b"xoxb-1 REDACTED sk_live_9 ",
                _ => b"plain words and numbers 12345 ",
            };
            text.extend_from_slice(piece);
            k += 1;
        }
        let ranges = [
            0..text.len(),
            7..300,
            CHUNK - 3..CHUNK + 4000,
            0..10,
            CHUNK + 1..text.len(),
            text.len() - 100..text.len(),
            1..2 * CHUNK + 17,
        ];
        let mut scratch = Scratch::default();
        for r in ranges {
            let fresh = candidate_hits(&text, r.clone());
            assert!(!fresh.is_empty() || r.len() < 40, "the text holds candidates in {r:?}");
            assert_eq!(candidate_hits_in(&text, r.clone(), &mut scratch), fresh, "range {r:?}");
        }
    }

    #[test]
    fn prefilter_covers_every_positive_value() {
        for (value, kind) in positive_values() {
            let json = serde_json::to_string(&value).unwrap();
            assert!(has_candidate(json.as_bytes()), "prefilter misses a {kind:?} example");
            assert!(has_candidate(value.as_bytes()), "prefilter misses a raw {kind:?} example");
        }
        // Webhook and query URLs written by encoders that escape '/'.
        assert!(has_candidate(br#"{"url": "https:\/\/x.example\/a?sig=1"}"#));
    }

    #[test]
    fn prefilter_covers_every_secret_key() {
        for key in secret_keys() {
            let json = format!("{}:", serde_json::to_string(key).unwrap());
            assert!(has_candidate(json.as_bytes()), "prefilter misses key {key:?}");
        }
    }

    #[test]
    fn key_stems_and_compounds_are_prefilter_needles() {
        let needles = prefilter_needles();
        for stem in KEY_STEMS.iter().chain(KEY_COMPOUNDS) {
            // `pwd` is searched with a folded separator after it (see `structural_needles`).
            let text = normalize(stem);
            let covered = needles.iter().any(|n| text.starts_with(&n.text) || n.text == format!("{text}_"));
            assert!(covered, "{stem} has no prefilter needle");
        }
        for ending in SECRET_WORD_ENDINGS {
            assert!(KEY_STEMS.iter().any(|s| ending.contains(s)), "{ending} has no stem");
        }
        for needle in needles {
            assert_eq!(needle.text, normalize(&needle.text), "needles are normalized");
            assert!(needle.text.len() >= MIN_NEEDLE, "{needle:?}");
            // Nothing JSON would escape: a quote, a backslash (both fold to `_`) or a control character.
            assert!(needle.text.bytes().all(|c| c.is_ascii_graphic() && c != b'"' && c != b'\\'), "{needle:?}");
            assert!(needle.gates != Gates::default(), "{needle:?} has no gate");
        }
    }

    #[test]
    fn the_table_keeps_the_fast_search() {
        // Every pass is one more read of every byte: one per length class, the longest class in two slim halves,
        // measured best on a 156 MB store.
        let automata = prefilter_automata(prefilter_needles());
        assert!(automata.len() <= 4, "{} automata", automata.len());
        for (_, members) in &automata {
            assert!(members.len() <= AUTOMATON_NEEDLES, "{} needles in one automaton", members.len());
        }
        let all: usize = automata.iter().map(|(_, m)| m.len()).sum();
        assert_eq!(all, prefilter_needles().len(), "every needle is searched");
    }

    #[test]
    fn every_token_rule_is_prefiltered_and_every_named_family_has_one() {
        for rule in token_rules() {
            let p = rule_prefixes(rule.regex).unwrap_or_else(|| panic!("{} has no usable literal prefix", rule.id));
            for prefix in &p.prefixes {
                let text = normalize(prefix);
                assert!(
                    prefilter_needles().iter().any(|n| text.starts_with(&n.text)),
                    "{}: prefix {prefix:?} has no needle",
                    rule.id
                );
            }
            assert!(regex::Regex::new(rule.regex).is_ok(), "{} does not compile", rule.id);
        }
        use SecretKind::*;
        for kind in [
            AwsAccessKey,
            GitlabToken,
            NpmToken,
            AnthropicKey,
            OpenaiKey,
            GoogleApiKey,
            SendgridKey,
            HuggingfaceToken,
            Jwt,
        ] {
            assert!(token_rules().iter().any(|r| r.kind == kind), "no rule reports {kind:?}");
        }
        assert_eq!(CATALOGUE.rules.len(), token_rules().len(), "every rule compiled");
    }

    #[test]
    fn generated_tokens_of_every_rule_are_detected_and_prefiltered() {
        for rule in token_rules() {
            let mut detected = 0;
            let regex = regex::Regex::new(rule.regex).unwrap();
            for seed in 1..=40 {
                let token = sample_matching(rule.regex, seed);
                // A sample ending on a non-word byte may not match its own rule (`\b`); skip those.
                if !regex.is_match(&token) {
                    continue;
                }
                let Some(kind) = detect_value_secret(&token) else { continue };
                detected += 1;
                assert!(kind <= rule.kind, "{}: {token:?} reported as {kind:?}", rule.id);
                for text in [token.clone(), format!("see {token} here"), token.to_ascii_uppercase()] {
                    let json = serde_json::to_string(&text).unwrap();
                    if detect_value_secret(&text).is_some() {
                        assert!(has_candidate(json.as_bytes()), "{}: prefilter misses {json}", rule.id);
                    }
                }
            }
            // Some samples fail the credential-shape check (no digit, no mixed case) or end on a non-word byte.
            assert!(detected >= 20, "{}: only {detected} of 40 generated tokens detected", rule.id);
        }
    }

    #[test]
    fn fingerprint_is_stable_short_and_domain_separated() {
        use sha2::Digest;
        let secret = fake(&["gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"]);
        let fp = fingerprint(&secret);
        assert_eq!(fp.len(), 8);
        assert!(fp.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{fp}");
        assert_eq!(fp, fingerprint(&secret), "deterministic");
        assert_ne!(fp, fingerprint(&format!("{secret}x")));
        // The digest is over the domain prefix and the secret, not the bare secret.
        let bare = super::super::canonical::hex(&sha2::Sha256::digest(secret.as_bytes())[..4]);
        assert_ne!(fp, bare);
        let mut h = sha2::Sha256::new();
        h.update(FINGERPRINT_DOMAIN);
        h.update(secret.as_bytes());
        assert_eq!(fp, super::super::canonical::hex(&h.finalize()[..4]));
        let marker = key_marker(SecretKind::GithubToken, &secret);
        assert_eq!(marker, format!("«REDACTED: GitHub token #{fp}»"));
        assert!(!marker.contains("A1b2C3"));
    }

    #[test]
    fn secret_keys_in_any_case() {
        for key in
            ["PassWord", "sEcReT", "API_KEY", "Client-Secret", "PASSWORD", "pAsSwOrD", "AccountKey", "SharedAccessKey"]
        {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["PassWordHash", "SharedAccessKeyName", "sEcReT_ReF", "TokenEnv", "AccountName"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    /// Generated corpus: combine fragments so the detector sees many shapes; check invariants on all of them.
    fn generated_values() -> Vec<String> {
        let prefixes = ["", "x ", "{\"a\": \"", "key=", "(", "https://h.example/p?", "Authorization: ", "\\\""];
        let cores = [
            fake(&["gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2"]),
            fake(&["github", "_pat_", "A1b2C3d4E5f6G7h8I9j0_K1l2"]),
            fake(&["xo", "xa-", "1234567890-abc"]),
            fake(&["sk", "_test_", "A1b2C3d4E5"]),
            fake(&["rk", "_test_", "A1b2C3d4E5"]),
            fake(&["wh", "sec_", "A1b2C3d4E5f6G7h8I9j0"]),
            fake(&["Bearer ", "A1b2C3d4E5f6"]),
            fake(&["BASIC ", "dXNlcjpwYXNz"]),
            fake(&["splunk ", "1234-abcd-5678"]),
            pem("PRIVATE KEY"),
            "ftp://u:p@h".to_string(),
            "a+b.c-d://tok@h/x?y".to_string(),
            "https://hooks.slack.com/workflows/T1/A2/3".to_string(),
            "https://ptb.discord.com/api/v10/webhooks/1/abc".to_string(),
            "discordapp.com/api/webhooks/1/abc".to_string(),
            "outlook.office365.com/webhook/abc".to_string(),
            "{\"PASSWORD\": \"abcd\"}".to_string(),
            "'apiKey': 'abcd1234'".to_string(),
            "private-key=abcd".to_string(),
            "Connection-String: Server=a1;Pwd=b2".to_string(),
            "cookie: sid=Ab12Cd34".to_string(),
            "REDACTED".to_string(),
            "https://x.example/a?REDACTED".to_string(),
            "Bearer REDACTED".to_string(),
            "gordackfinalbundle-2e231b586c36180b".to_string(),
            "go-rollback-drill-final-evidence://gordackfinalready-473d927d980e54af".to_string(),
        ];
        let suffixes = ["", "\"}", " and more", ")", "\n", ".", "@", ":x"];
        let mut out = Vec::new();
        for p in prefixes {
            for c in &cores {
                for s in suffixes {
                    out.push(format!("{p}{c}{s}"));
                }
            }
        }
        out
    }

    #[test]
    fn generated_corpus_invariants() {
        let mut flagged = 0;
        for value in generated_values() {
            let full = scan_detailed(value.as_bytes(), Triggers::ALL);
            let fast = scan(&value);
            // The cheap byte pre-check never hides a finding (or a marker, except the bare-marker shortcut).
            assert_eq!(full.finding, fast.finding, "pre-check changed the result for {value:?}");
            if let Some(kind) = fast.finding {
                flagged += 1;
                let json = serde_json::to_string(&value).unwrap();
                assert!(has_candidate(json.as_bytes()), "prefilter misses {kind:?} in {value:?}");
                assert!(!is_cavra_redacted(&value));
            }
        }
        assert!(flagged > 500, "generated corpus should mostly flag, got {flagged}");
    }

    #[test]
    fn generated_keys_prefilter_completeness() {
        let words = [
            "x",
            "api",
            "key",
            "token",
            "secret",
            "pass",
            "word",
            "password",
            "pwd",
            "private",
            "signing",
            "access",
            "id",
            "env",
            "client",
            "cookie",
            "set",
            "connection",
            "string",
            "auth",
            "authorization",
            "credentials",
            "public",
            "encryption",
            "hash",
            "stored",
        ];
        let mut secret = 0;
        for a in words {
            for b in words {
                for sep in ["", "_", "-", "__", ".", " "] {
                    for key in [
                        format!("{a}{sep}{b}"),
                        format!("{a}{sep}{}", capitalize(b)),
                        format!("{}{sep}{b}", a.to_uppercase()),
                    ] {
                        if is_secret_key(&key) {
                            secret += 1;
                            let json = format!("{}:", serde_json::to_string(&key).unwrap());
                            // Known gap, chosen for speed: `pwd` directly followed by a letter (`pwdX`) is not a
                            // needle, because a bare three-letter `pwd` needle slows the whole scan threefold.
                            let pwd_camel = key
                                .to_ascii_lowercase()
                                .find("pwd")
                                .is_some_and(|i| key.as_bytes().get(i + 3).is_some_and(u8::is_ascii_alphabetic));
                            assert!(pwd_camel || has_candidate(json.as_bytes()), "prefilter misses secret key {key:?}");
                            // And an embedded assignment of that key is found in a value.
                            let embedded = format!("{{\"{key}\": \"v4lue-Abc\"}}");
                            if key.bytes().all(is_key_byte) {
                                assert_eq!(detect_value_secret(&embedded), Some(SecretKind::SecretField), "{embedded}");
                            }
                        }
                    }
                }
            }
        }
        assert!(secret > 100, "only {secret} generated secret keys");
    }

    fn capitalize(s: &str) -> String {
        let mut c = s.chars();
        c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
    }

    #[test]
    fn common_case_values_skip_detailed_parsing() {
        for value in [
            "gordackfinalbundle-2e231b586c36180b",
            "2026-06-01T09:00:00Z",
            "community-edition-does-not-store-connector-credentials",
            "ext-sig:ed25519:MEUCIQDfixtureExternalSignatureValueOnly",
            "ready",
            "REL-2026.06-go-backend-rollback-drill",
        ] {
            assert!(!Triggers::of(value.as_bytes()).any(), "{value:?} should take the fast path");
        }
        assert!(Triggers::of(b"a://b").any());
        assert!(Triggers::of(b"Bearer x").any());
    }

    #[test]
    fn hostile_input_does_not_blow_up() {
        let long = "a://".repeat(20_000);
        assert_eq!(detect_value_secret(&long), None);
        let long = format!("{}{}", "token=".repeat(10_000), "x");
        assert_eq!(detect_value_secret(&long), Some(SecretKind::SecretField));
        let eq = "=".repeat(50_000);
        assert_eq!(detect_value_secret(&eq), None);
        // Many overlapping candidates that are never flagged: each must stay cheap.
        for unit in [
            "a://b/",
            "a://b/c://",
            "github_pat_",
            "xoxb-xoxb-",
            "sk_live_sk_live_",
            "hooks.slack.com/services/",
            "\"token\": \" \"token\": \"",
            "Bearer Bearer ",
            "-----BEGIN -----BEGIN ",
            "api_key=REDACTED&",
        ] {
            let hostile = unit.repeat(200_000 / unit.len());
            let started = std::time::Instant::now();
            let _ = detect_value_secret(&hostile);
            let _ = is_cavra_redacted(&hostile);
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "slow on {unit:?}");
        }
        let multibyte = "é:\"ü\" ☃=☃ https://ü/?ö token é".repeat(100);
        let _ = detect_value_secret(&multibyte);
        let _ = is_cavra_redacted(&multibyte);
    }

    // --- our samples (CAVRA's own fixtures: the conformance suite, tests/conformance.rs) ------------------------

    #[test]
    fn samples_have_no_findings_but_the_planted_leak() {
        let mut markers = 0;
        for sample in crate::samples::all() {
            let bytes = crate::samples::bytes(&sample);
            let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            let s = crate::conformance::sweep(&json, &sample.file);
            assert!(s.keys > 10 && s.strings > 10, "{}: walked too little", sample.file);
            // Real-shaped evidence always carries needles (`://` URIs, `secret` in control strings).
            assert!(has_candidate(bytes), "{}: prefilter should match", sample.file);
            markers += s.markers;
            if sample.name == "leaked-connector-secret" {
                assert_eq!(s.findings.len(), 2, "the Slack webhook path and the bearer token: {:#?}", s.findings);
            } else {
                assert!(s.findings.is_empty(), "{}: false positives: {:#?}", sample.file, s.findings);
            }
        }
        assert!(markers > 0, "no CAVRA redaction markers seen");
    }

    #[test]
    fn the_sweep_would_catch_an_injected_secret() {
        let text =
            String::from_utf8(crate::samples::bytes(&crate::samples::get("clean-store").unwrap()).to_vec()).unwrap();
        let needle = "\"authorization\": \"REDACTED\"";
        assert!(text.contains(needle), "sample layout changed");
        let injected = text.replacen(needle, "\"authorization\": \"Bearer A1b2C3d4E5f6G7h8\"", 1);
        let json: serde_json::Value = serde_json::from_str(&injected).unwrap();
        let s = crate::conformance::sweep(&json, "injected");
        assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    }
}
