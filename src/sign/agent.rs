//! A minimal ssh-agent client (the agent protocol, draft-miller-ssh-agent): list the agent's keys and ask it
//! to sign. Messages are length-prefixed; replies are bounded in size and time.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh_key::{Algorithm, PublicKey, Signature};

use crate::evidence::LoadError;
use crate::sanitize::clean;

const SSH_AGENT_FAILURE: u8 = 5;
const SSH_AGENTC_REQUEST_IDENTITIES: u8 = 11;
const SSH_AGENT_IDENTITIES_ANSWER: u8 = 12;
const SSH_AGENTC_SIGN_REQUEST: u8 = 13;
const SSH_AGENT_SIGN_RESPONSE: u8 = 14;
/// Sign-request flag: an RSA key signs with rsa-sha2-512.
pub const SSH_AGENT_RSA_SHA2_512: u32 = 4;

/// The largest reply closeout accepts from an agent.
const MAX_REPLY: usize = 256 << 10;
/// How long closeout waits for the agent (it may be asking its user to confirm).
const TIMEOUT: Duration = Duration::from_secs(120);

const WHO: &str = "ssh-agent";

fn err(problem: impl Into<String>) -> LoadError {
    LoadError::new(WHO, problem)
}

/// The agent's socket from `SSH_AUTH_SOCK`.
pub fn socket_from_env() -> Result<PathBuf, LoadError> {
    match std::env::var_os("SSH_AUTH_SOCK") {
        Some(s) if !s.is_empty() => Ok(PathBuf::from(s)),
        _ => Err(err("no agent: SSH_AUTH_SOCK is not set (start one with `eval $(ssh-agent)` and `ssh-add KEY`)")),
    }
}

/// A connection to an agent.
pub struct Agent {
    #[cfg(unix)]
    stream: std::os::unix::net::UnixStream,
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn get_u32(buf: &mut &[u8]) -> Result<u32, LoadError> {
    if buf.len() < 4 {
        return Err(err("the agent's reply is truncated"));
    }
    let v = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    *buf = &buf[4..];
    Ok(v)
}

fn get_string<'a>(buf: &mut &'a [u8]) -> Result<&'a [u8], LoadError> {
    let len = get_u32(buf)? as usize;
    if buf.len() < len {
        return Err(err("the agent's reply is truncated"));
    }
    let (s, rest) = buf.split_at(len);
    *buf = rest;
    Ok(s)
}

impl Agent {
    /// Connect to the agent's unix socket.
    #[cfg(unix)]
    pub fn connect(socket: &Path) -> Result<Agent, LoadError> {
        let shown = clean(&socket.display().to_string()).into_owned();
        let stream = std::os::unix::net::UnixStream::connect(socket)
            .map_err(|e| err(format!("cannot reach the agent at {shown}: {e} (is ssh-agent running?)")))?;
        stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| err(e.to_string()))?;
        stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| err(e.to_string()))?;
        Ok(Agent { stream })
    }

    #[cfg(not(unix))]
    pub fn connect(_socket: &Path) -> Result<Agent, LoadError> {
        Err(err("signing through ssh-agent needs a unix socket (not available on this system)"))
    }

    /// Send one request and read one reply (its type and body).
    #[cfg(unix)]
    fn request(&mut self, kind: u8, body: &[u8]) -> Result<(u8, Vec<u8>), LoadError> {
        let io = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                err(format!("the agent did not answer within {} s", TIMEOUT.as_secs()))
            }
            _ => err(format!("talking to the agent failed: {e}")),
        };
        let mut msg = Vec::with_capacity(5 + body.len());
        msg.extend_from_slice(&((body.len() + 1) as u32).to_be_bytes());
        msg.push(kind);
        msg.extend_from_slice(body);
        self.stream.write_all(&msg).map_err(io)?;
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).map_err(io)?;
        let len = u32::from_be_bytes(len) as usize;
        if len == 0 || len > MAX_REPLY {
            return Err(err(format!("the agent's reply has an implausible length ({len} bytes)")));
        }
        let mut reply = vec![0u8; len];
        self.stream.read_exact(&mut reply).map_err(io)?;
        let kind = reply[0];
        reply.remove(0);
        Ok((kind, reply))
    }

    #[cfg(not(unix))]
    fn request(&mut self, _kind: u8, _body: &[u8]) -> Result<(u8, Vec<u8>), LoadError> {
        Err(err("signing through ssh-agent needs a unix socket"))
    }

    /// The agent's keys with their comments (keys of types closeout cannot read are left out).
    pub fn identities(&mut self) -> Result<Vec<(PublicKey, String)>, LoadError> {
        let (kind, body) = self.request(SSH_AGENTC_REQUEST_IDENTITIES, &[])?;
        match kind {
            SSH_AGENT_IDENTITIES_ANSWER => {}
            SSH_AGENT_FAILURE => return Err(err("the agent refused to list its keys (is it locked?)")),
            other => return Err(err(format!("unexpected agent reply {other} to a key listing"))),
        }
        let mut b = body.as_slice();
        let n = get_u32(&mut b)?;
        let mut keys = Vec::new();
        for _ in 0..n {
            let blob = get_string(&mut b)?;
            let comment = String::from_utf8_lossy(get_string(&mut b)?).into_owned();
            if let Ok(k) = PublicKey::from_bytes(blob) {
                keys.push((k, comment));
            }
        }
        Ok(keys)
    }

    /// Ask the agent to sign `data` with `key` (rsa-sha2-512 for RSA keys).
    pub fn sign(&mut self, key: &PublicKey, data: &[u8]) -> Result<Signature, LoadError> {
        let blob = key.to_bytes().map_err(|e| err(format!("cannot encode the key: {e}")))?;
        let flags = if matches!(key.algorithm(), Algorithm::Rsa { .. }) { SSH_AGENT_RSA_SHA2_512 } else { 0 };
        let mut body = Vec::with_capacity(blob.len() + data.len() + 12);
        put_string(&mut body, &blob);
        put_string(&mut body, data);
        body.extend_from_slice(&flags.to_be_bytes());
        let (kind, reply) = self.request(SSH_AGENTC_SIGN_REQUEST, &body)?;
        match kind {
            SSH_AGENT_SIGN_RESPONSE => {}
            SSH_AGENT_FAILURE => {
                return Err(err("the agent refused to sign (the key is not usable, or confirmation was declined)"));
            }
            other => return Err(err(format!("unexpected agent reply {other} to a sign request"))),
        }
        let mut b = reply.as_slice();
        let sig = get_string(&mut b)?;
        let signature =
            Signature::try_from(sig).map_err(|e| err(format!("the agent returned an unreadable signature: {e}")))?;
        if matches!(key.algorithm(), Algorithm::Rsa { .. }) && signature.algorithm().as_str() != "rsa-sha2-512" {
            return Err(err(format!(
                "the agent signed with {} instead of rsa-sha2-512",
                clean(signature.algorithm().as_str())
            )));
        }
        Ok(signature)
    }
}
