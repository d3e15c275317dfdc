//! Making signatures: with an OpenSSH private key file, or through a running ssh-agent; and writing
//! `RECORD.sig` atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::{MAX_FILE_BYTES, NAMESPACE, SIGNING_HASH, read_small_file, signature_path};
use crate::evidence::LoadError;
use crate::sanitize::clean;

/// What signs.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// An unencrypted OpenSSH private key file.
    PrivateKeyFile(PathBuf),
    /// The key with this public half, held by the ssh-agent listening on `socket`.
    Agent { public_key: PublicKey, socket: PathBuf },
}

/// A signature made by closeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----` …), ending in a newline.
    pub armored: String,
    pub key_type: String,
    pub signature_algorithm: String,
    /// `SHA256:…`.
    pub fingerprint: String,
}

fn shown(path: &Path) -> String {
    clean(&path.display().to_string()).into_owned()
}

fn read_key_text(path: &Path) -> Result<String, LoadError> {
    let bytes = read_small_file(path).map_err(|p| LoadError::new(shown(path), p))?;
    String::from_utf8(bytes).map_err(|_| LoadError::new(shown(path), "not an OpenSSH key file (not text)"))
}

/// Read an OpenSSH private key. An encrypted key is refused with a message that says to use the agent:
/// closeout does not ask for passphrases.
pub fn load_private_key(path: &Path) -> Result<PrivateKey, LoadError> {
    let text = read_key_text(path)?;
    if PublicKey::from_openssh(text.trim()).is_ok() {
        return Err(LoadError::new(
            shown(path),
            "this is a public key; to sign with it through ssh-agent, use --agent (or name the .pub file)",
        ));
    }
    let key = PrivateKey::from_openssh(text.trim()).map_err(|e| {
        let hint = if text.contains("BEGIN RSA PRIVATE KEY")
            || text.contains("BEGIN EC PRIVATE KEY")
            || text.contains("BEGIN PRIVATE KEY")
        {
            " (a PEM key: convert it with `ssh-keygen -p -f KEY` to the OpenSSH format)"
        } else {
            ""
        };
        LoadError::new(shown(path), format!("not an OpenSSH private key ({e}){hint}"))
    })?;
    if key.is_encrypted() {
        return Err(LoadError::new(
            shown(path),
            format!(
                "the key is protected by a passphrase, and closeout does not ask for passphrases: add it to \
                 ssh-agent (`ssh-add {}`) and sign with `--agent --key {}` or `--key {}.pub`",
                shown(path),
                shown(path),
                shown(path)
            ),
        ));
    }
    Ok(key)
}

/// Read a public key: an OpenSSH `.pub` line, or the public half of an OpenSSH private key file (stored in
/// the clear even when the key is encrypted).
pub fn load_public_key(path: &Path) -> Result<PublicKey, LoadError> {
    let text = read_key_text(path)?;
    if let Ok(k) = PublicKey::from_openssh(text.trim()) {
        return Ok(k);
    }
    PrivateKey::from_openssh(text.trim())
        .map(|k| k.public_key().clone())
        .map_err(|_| LoadError::new(shown(path), "not an OpenSSH public key (.pub) or private key file"))
}

/// Which key `--key` / `--agent` mean, as git reads `user.signingKey`: a public key (`.pub`), or `--agent`,
/// signs through the agent at `$SSH_AUTH_SOCK` with that key; a private key file signs directly. With
/// `--agent` and no key, the agent must hold exactly one key.
pub fn key_source(key: Option<&Path>, agent: bool) -> Result<KeySource, LoadError> {
    let agent_socket = || super::agent::socket_from_env();
    match key {
        Some(path) => {
            let text_is_public = read_key_text(path).map(|t| PublicKey::from_openssh(t.trim()).is_ok())?;
            if agent || text_is_public {
                Ok(KeySource::Agent { public_key: load_public_key(path)?, socket: agent_socket()? })
            } else {
                Ok(KeySource::PrivateKeyFile(path.to_path_buf()))
            }
        }
        None if agent => {
            let socket = agent_socket()?;
            let keys = super::agent::Agent::connect(&socket)?.identities()?;
            match keys.as_slice() {
                [(k, _)] => Ok(KeySource::Agent { public_key: k.clone(), socket }),
                [] => Err(LoadError::new("ssh-agent", "the agent holds no keys (add one with ssh-add)")),
                many => Err(LoadError::new(
                    "ssh-agent",
                    format!(
                        "the agent holds {} keys; say which with --key KEY.pub ({})",
                        many.len(),
                        many.iter()
                            .map(|(k, c)| format!("{} {}", k.fingerprint(HashAlg::Sha256), clean(c)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        None => Err(LoadError::new("--key", "say which key signs: --key KEY (or --agent)")),
    }
}

fn armor(sig: &SshSig, key: &PublicKey) -> Result<Signed, String> {
    let armored = sig.to_pem(LineEnding::LF).map_err(|e| format!("could not encode the signature: {e}"))?;
    let armored = if armored.ends_with('\n') { armored } else { armored + "\n" };
    Ok(Signed {
        armored,
        key_type: key.algorithm().as_str().to_string(),
        signature_algorithm: sig.algorithm().as_str().to_string(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
    })
}

/// Sign `message` with a private key (sha512, as ssh-keygen does; rsa-sha2-512 for RSA keys). The result is
/// verified before it is returned.
pub fn sign_with_private_key(message: &[u8], key: &PrivateKey, namespace: &str) -> Result<Signed, String> {
    let sig = match key.key_data().rsa() {
        Some(rsa_key) => {
            let data =
                SshSig::signed_data(namespace, SIGNING_HASH, message).map_err(|e| format!("could not sign: {e}"))?;
            let signature = sign_rsa_sha512(rsa_key, &data)?;
            SshSig::new(key.public_key().key_data().clone(), namespace, SIGNING_HASH, signature)
                .map_err(|e| format!("could not sign: {e}"))?
        }
        None => key.sign(namespace, SIGNING_HASH, message).map_err(|e| format!("could not sign: {e}"))?,
    };
    key.public_key()
        .verify(namespace, message, &sig)
        .map_err(|e| format!("the new signature does not verify ({e})"))?;
    armor(&sig, key.public_key())
}

/// rsa-sha2-512 (PKCS#1 v1.5 over SHA-512) with an RSA key pair.
///
/// ssh-key 0.6.7 cannot sign with RSA keys: its conversion to an `rsa` private key passes the first prime
/// twice (RustCrypto/SSH#217, fixed only in the 0.7 pre-releases; #387, #436), so every RSA signature fails
/// with "cryptographic error". Until a fixed release exists, closeout builds the key from its components
/// itself. The interoperability tests sign with ssh-keygen's RSA keys and verify with ssh-keygen.
fn sign_rsa_sha512(key: &ssh_key::private::RsaKeypair, data: &[u8]) -> Result<ssh_key::Signature, String> {
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    let int = |m: &ssh_key::Mpint, what: &str| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or_else(|| format!("the RSA key's {what} is not a positive integer"))
    };
    let private = rsa::RsaPrivateKey::from_components(
        int(&key.public.n, "modulus")?,
        int(&key.public.e, "public exponent")?,
        int(&key.private.d, "private exponent")?,
        vec![int(&key.private.p, "first prime")?, int(&key.private.q, "second prime")?],
    )
    .map_err(|e| format!("the RSA key is not valid ({e})"))?;
    if private.size() * 8 < 2048 {
        return Err(format!("the RSA key has {} bits; at least 2048 are required", private.size() * 8));
    }
    let signature = rsa::pkcs1v15::SigningKey::<ssh_key::sha2::Sha512>::new(private)
        .try_sign(data)
        .map_err(|e| format!("could not sign: {e}"))?;
    ssh_key::Signature::new(ssh_key::Algorithm::Rsa { hash: Some(HashAlg::Sha512) }, signature.to_vec())
        .map_err(|e| format!("could not encode the signature: {e}"))
}

/// Sign `message` through the ssh-agent at `socket` with the key whose public half is `public_key`
/// (SSH_AGENTC_SIGN_REQUEST, with the rsa-sha2-512 flag for RSA keys). The agent's signature is verified
/// before it is returned.
pub fn sign_with_agent(
    message: &[u8],
    public_key: &PublicKey,
    socket: &Path,
    namespace: &str,
) -> Result<Signed, LoadError> {
    let data = SshSig::signed_data(namespace, SIGNING_HASH, message)
        .map_err(|e| LoadError::new("ssh-agent", format!("could not prepare the data to sign: {e}")))?;
    let mut agent = super::agent::Agent::connect(socket)?;
    let fp = public_key.fingerprint(HashAlg::Sha256);
    if !agent.identities()?.iter().any(|(k, _)| k.key_data() == public_key.key_data()) {
        return Err(LoadError::new(
            "ssh-agent",
            format!("the agent does not hold the key {} {fp} (add it with ssh-add)", public_key.algorithm().as_str()),
        ));
    }
    let signature = agent.sign(public_key, &data)?;
    let sig = SshSig::new(public_key.key_data().clone(), namespace, SIGNING_HASH, signature)
        .map_err(|e| LoadError::new("ssh-agent", format!("the agent's signature is unusable: {e}")))?;
    public_key
        .verify(namespace, message, &sig)
        .map_err(|e| LoadError::new("ssh-agent", format!("the agent's signature does not verify ({e})")))?;
    armor(&sig, public_key).map_err(|e| LoadError::new("ssh-agent", e))
}

/// Sign `message` in namespace [`NAMESPACE`] with whatever `source` names.
pub fn sign_message(message: &[u8], source: &KeySource) -> Result<Signed, LoadError> {
    match source {
        KeySource::PrivateKeyFile(path) => {
            let key = load_private_key(path)?;
            sign_with_private_key(message, &key, NAMESPACE).map_err(|e| LoadError::new(shown(path), e))
        }
        KeySource::Agent { public_key, socket } => sign_with_agent(message, public_key, socket, NAMESPACE),
    }
}

/// Write `armored` to `record`'s signature path ([`signature_path`]) atomically: a new temporary file in
/// the same directory, synced, then moved into place. An existing signature is kept (an error) unless
/// `force`; the record itself is never touched. Returns the signature's path.
pub fn write_signature(record: &Path, armored: &str, force: bool) -> Result<PathBuf, LoadError> {
    let target = signature_path(record);
    let name = shown(&target);
    if armored.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::new(&name, "the signature is larger than closeout reads back"));
    }
    if let (Ok(a), Ok(b)) = (target.canonicalize(), record.canonicalize())
        && a == b
    {
        return Err(LoadError::new(&name, "refusing to write a signature over the record it signs"));
    }
    match std::fs::symlink_metadata(&target) {
        Ok(meta) if !meta.is_file() => {
            return Err(LoadError::new(&name, "refusing to replace something that is not a regular file"));
        }
        Ok(_) if !force => {
            return Err(LoadError::new(&name, "a signature already exists; use --force to replace it"));
        }
        _ => {}
    }
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "record.sig".into());
    let nonce = crate::evidence::canonical::sha256_hex(
        format!("{armored}{}{:?}", std::process::id(), std::time::SystemTime::now()).as_bytes(),
    );
    let tmp = dir.join(format!(".{file_name}.{}.tmp", &nonce[..12]));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(armored.as_bytes())?;
        f.sync_all()?;
        drop(f);
        if force {
            std::fs::rename(&tmp, &target)?;
        } else {
            // No replacing: a link fails if the signature appeared meanwhile.
            std::fs::hard_link(&tmp, &target)?;
            std::fs::remove_file(&tmp)?;
        }
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        let problem = match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                "a signature file appeared here meanwhile; use --force to replace it".into()
            }
            _ => format!("could not write the signature: {e}"),
        };
        return Err(LoadError::new(&name, problem));
    }
    Ok(target)
}
