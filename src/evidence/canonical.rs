//! Canonical JSON as CAVRA hashes it: Python `json.dumps(value, sort_keys=True)`.
//!
//! CAVRA computes artifact-bundle file hashes as
//! `hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()`, where `content`
//! came from `json.load`. This module reproduces those bytes exactly from a [`serde_json::Value`]:
//!
//! * separators `", "` and `": "`, empty containers as `[]` / `{}`;
//! * object keys sorted by Unicode code point (for UTF-8 `&str` that is plain byte order);
//!   duplicate keys were already collapsed by the parser, last value wins, as in Python;
//! * `ensure_ascii=True`: everything outside `0x20..=0x7E` is escaped, `"` and `\` are
//!   backslash-escaped, `\b \f \n \r \t` use short escapes, other code points become `\u00XX`
//!   (lowercase hex), code points above U+FFFF become a UTF-16 surrogate pair; `/` is not escaped;
//! * numbers follow what `json.load` would have made of the literal: no `.`, `e` or `E` means a
//!   Python `int`, printed back digit for digit (`-0` prints `0`); anything else is a `float`,
//!   printed with `repr(float)` (see [`python_float_repr`]), overflow becoming `Infinity`.
//!
//! Numbers are read from their literal text, so the crate's `serde_json` must be built with the
//! `arbitrary_precision` feature (it is).
//!
//! The serializer recurses once per nesting level. Callers bound nesting depth (128 levels) before
//! calling in, so stack use stays small; do not feed it unbounded-depth input.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

/// Appends Python's `json.dumps(value, sort_keys=True)` of `value` to `out` (does not clear it).
///
/// Recursive: one stack frame per nesting level; callers bound depth (at 128).
pub fn python_dumps_sorted(value: &Value, out: &mut Vec<u8>) {
    write_value(value, out);
}

/// Python's `json.dumps(value, sort_keys=True)` of `value` as a `String`.
pub fn python_dumps_sorted_string(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    python_dumps_sorted(value, &mut out);
    // Every byte written is ASCII (`ensure_ascii=True`), so this conversion cannot fail; keep a
    // lossless fallback rather than a panic anyway.
    String::from_utf8(out).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// Python's `json.dumps` text of a float: `repr(x)` for finite values (shortest round-trip
/// digits; fixed notation when `1e-4 <= |x| < 1e16`, always with a fractional part, such as
/// `100.0`; otherwise scientific such as `1e+16` or `2.5e-07`), and `Infinity`, `-Infinity`,
/// `NaN` for the non-finite values (Python's own `repr` would say `inf`; `json.dumps` does not).
pub fn python_float_repr(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    write_float(x, &mut out);
    String::from_utf8(out).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Lowercase hex SHA-256 of [`python_dumps_sorted`] of `value`: CAVRA's `files[].sha256`.
pub fn canonical_sha256_hex(value: &Value) -> String {
    let mut out = Vec::with_capacity(4096);
    python_dumps_sorted(value, &mut out);
    sha256_hex(&out)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(number, out),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, out),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>) {
    out.push(b'{');
    if map.keys().is_sorted() {
        // Fast path: stores written by Python with sort_keys are already in order.
        for (index, (key, item)) in map.iter().enumerate() {
            write_member(index, key, item, out);
        }
    } else {
        let mut members: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        // Keys of one map are unique, so an unstable sort is deterministic. Byte order of UTF-8
        // equals code point order, which is how Python compares `str`.
        members.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (index, (key, item)) in members.into_iter().enumerate() {
            write_member(index, key, item, out);
        }
    }
    out.push(b'}');
}

fn write_member(index: usize, key: &str, item: &Value, out: &mut Vec<u8>) {
    if index > 0 {
        out.extend_from_slice(b", ");
    }
    write_string(key, out);
    out.extend_from_slice(b": ");
    write_value(item, out);
}

fn write_number(number: &Number, out: &mut Vec<u8>) {
    let literal = number.as_str();
    let is_float = literal.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if is_float {
        // Rust's parser rounds correctly like Python's `float()`, and also overflows to
        // infinity and underflows to (signed) zero.
        match literal.parse::<f64>() {
            Ok(x) => write_float(x, out),
            // Unreachable for numbers serde_json produced; keep the literal rather than panic.
            Err(_) => out.extend_from_slice(literal.as_bytes()),
        }
    } else {
        let digits = literal.strip_prefix('-').unwrap_or(literal);
        if digits.bytes().all(|b| b == b'0') {
            // Python's int has no negative zero: `-0` loads as 0.
            out.push(b'0');
        } else {
            out.extend_from_slice(literal.as_bytes());
        }
    }
}

/// Fixed-size stack buffer for `{:e}` output: the longest f64 text is 24 bytes
/// (`-2.2250738585072014e-308`), so no float needs a heap allocation.
struct StackBuf {
    bytes: [u8; 32],
    len: usize,
}

impl StackBuf {
    fn new() -> Self {
        StackBuf { bytes: [0; 32], len: 0 }
    }

    fn as_str(&self) -> &str {
        // Only `write_str` fills the buffer, with whole `&str`s, so this is always valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Decimal digits `d1 d2 ... dn` (no leading or trailing zeros) and the power of ten of `d1`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Decimal {
    digits: [u8; 24],
    len: usize,
    exponent: i32,
}

impl Decimal {
    /// Reads Rust's `{:e}` text of a positive finite number: `d[.ddd]e[-]N`.
    fn from_sci(text: &str) -> Decimal {
        let bytes = text.as_bytes();
        let e_pos = bytes.iter().position(|&b| b == b'e').unwrap_or(bytes.len());
        let mut decimal = Decimal { digits: [b'0'; 24], len: 0, exponent: 0 };
        for &b in &bytes[..e_pos] {
            if b.is_ascii_digit() && decimal.len < decimal.digits.len() {
                decimal.digits[decimal.len] = b;
                decimal.len += 1;
            }
        }
        while decimal.len > 1 && decimal.digits[decimal.len - 1] == b'0' {
            decimal.len -= 1;
        }
        if decimal.len == 0 {
            decimal.len = 1;
        }
        let exponent_text = bytes.get(e_pos + 1..).unwrap_or(&[]);
        let (negative, exponent_digits) = match exponent_text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, exponent_text),
        };
        let magnitude = exponent_digits.iter().fold(0i32, |acc, &b| acc * 10 + i32::from(b.wrapping_sub(b'0')));
        decimal.exponent = if negative { -magnitude } else { magnitude };
        decimal
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

/// The digits Python's `repr` picks for a positive finite `x`: the fewest significant digits that
/// read back as `x`, and of those the candidate nearest to `x`, an exact tie going to the even
/// digit (David Gay's `dtoa` mode 0, which CPython uses).
///
/// Rust's `{:e}` finds the fewest digits but breaks an exact tie upwards: `1000000000000000.25`
/// is `1.0000000000000003e15` in Rust and `1000000000000000.2` in Python. Rust's fixed-precision
/// `{:.N e}` does round ties to even, so re-round `x` to the same number of digits that way and
/// keep that candidate when it still reads back as `x`.
fn python_digits(x: f64) -> Decimal {
    let mut buf = StackBuf::new();
    let shortest = if write!(buf, "{x:e}").is_ok() {
        Decimal::from_sci(buf.as_str())
    } else {
        // Unreachable: the buffer holds any f64. Allocate rather than fail.
        Decimal::from_sci(&format!("{x:e}"))
    };
    let precision = shortest.len - 1;
    let mut exact_buf = StackBuf::new();
    if write!(exact_buf, "{x:.precision$e}").is_err() {
        return shortest;
    }
    let nearest = Decimal::from_sci(exact_buf.as_str());
    if nearest != shortest && nearest.len <= shortest.len && exact_buf.as_str().parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    }
}

fn write_float(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.extend_from_slice(b"Infinity");
        return;
    }
    if x == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }

    let decimal = python_digits(x);
    let digits = decimal.digits();
    let exponent = decimal.exponent;
    if !(-4..16).contains(&exponent) {
        // Scientific: mantissa without a trailing `.0`, exponent signed, at least two digits.
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude >= 100 {
            out.push(b'0' + (magnitude / 100) as u8);
        }
        out.push(b'0' + (magnitude / 10 % 10) as u8);
        out.push(b'0' + (magnitude % 10) as u8);
    } else if exponent >= 0 {
        // Fixed, 1 <= |x| < 1e16: integer part, then at least one fractional digit.
        let int_len = exponent as usize + 1;
        if digits.len() <= int_len {
            out.extend_from_slice(digits);
            out.resize(out.len() + (int_len - digits.len()), b'0');
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    } else {
        // Fixed, 1e-4 <= |x| < 1: `0.`, then zeros, then the digits.
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (exponent.unsigned_abs() as usize - 1), b'0');
        out.extend_from_slice(digits);
    }
}

/// For each byte: does it need escaping under `ensure_ascii=True`? Everything outside printable
/// ASCII (`0x20..=0x7E`), plus `"` and `\`.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [true; 256];
    let mut b = 0x20;
    while b <= 0x7e {
        table[b] = false;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

fn write_string(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !NEEDS_ESCAPE[usize::from(b)] {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if b < 0x80 {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => write_u_escape(u16::from(b), out),
            }
            i += 1;
        } else {
            // A `&str` is valid UTF-8 and `i` sits on a lead byte: decode one scalar value.
            let (code_point, len) = decode_utf8(&bytes[i..]);
            if code_point > 0xffff {
                let v = code_point - 0x1_0000;
                write_u_escape(0xd800 | (v >> 10) as u16, out);
                write_u_escape(0xdc00 | (v & 0x3ff) as u16, out);
            } else {
                write_u_escape(code_point as u16, out);
            }
            i += len;
        }
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Decodes the scalar value starting at `bytes[0]`, a non-ASCII lead byte of valid UTF-8.
fn decode_utf8(bytes: &[u8]) -> (u32, usize) {
    let cont = |i: usize| u32::from(bytes.get(i).copied().unwrap_or(0x80) & 0x3f);
    let lead = u32::from(bytes[0]);
    match bytes[0] {
        0xc0..=0xdf => (((lead & 0x1f) << 6) | cont(1), 2),
        0xe0..=0xef => (((lead & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3),
        _ => (((lead & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3), 4),
    }
}

fn write_u_escape(unit: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&[
        b'\\',
        b'u',
        HEX[usize::from(unit >> 12)],
        HEX[usize::from((unit >> 8) & 0xf)],
        HEX[usize::from((unit >> 4) & 0xf)],
        HEX[usize::from(unit & 0xf)],
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `(source, json.dumps(json.loads(source), sort_keys=True))`, generated with CPython 3.11.
    const PYTHON_VECTORS: &[(&str, &str)] = &[
        (
            r#"{"b": 1, "a": {"d": [3, 2, {"z": null, "y": true}], "c": false}}"#,
            r#"{"a": {"c": false, "d": [3, 2, {"y": true, "z": null}]}, "b": 1}"#,
        ),
        (
            r#"{"zeta": {"b": [{"y": 1, "x": 2}], "a": "s"}, "alpha": [{"k2": [], "k1": {}}]}"#,
            r#"{"alpha": [{"k1": {}, "k2": []}], "zeta": {"a": "s", "b": [{"x": 2, "y": 1}]}}"#,
        ),
        (r"{}", r"{}"),
        (r"[]", r"[]"),
        (r#"{"a": {}, "b": [], "c": [[], {}, [[]], [{}]]}"#, r#"{"a": {}, "b": [], "c": [[], {}, [[]], [{}]]}"#),
        (r"true", r"true"),
        (r"false", r"false"),
        (r"null", r"null"),
        (r"[true, false, null]", r"[true, false, null]"),
        ("{ \"k\" :\n [ 1 ,\t2 ] ,\"j\":\"v\" }", r#"{"j": "v", "k": [1, 2]}"#),
        (r#"{"a": 1, "a": 2}"#, r#"{"a": 2}"#),
        (r#""café and caf\u00e9""#, r#""caf\u00e9 and caf\u00e9""#),
        (r#""中文 \u4e2d""#, r#""\u4e2d\u6587 \u4e2d""#),
        (r#""😀 and \ud83d\ude00""#, r#""\ud83d\ude00 and \ud83d\ude00""#),
        ("\"𐀀 \u{10ffff}\"", r#""\ud800\udc00 \udbff\udfff""#),
        ("\"line\u{2028}sep\\u2029para\"", r#""line\u2028sep\u2029para""#),
        (
            r#""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#,
            r#""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#,
        ),
        ("\"del:\u{7f} escaped-del:\\u007f tilde:~ space: \"", r#""del:\u007f escaped-del:\u007f tilde:~ space: ""#),
        (r#""quote \" backslash \\ slash \/ /""#, r#""quote \" backslash \\ slash / /""#),
        (r#""\b\f\n\r\t""#, r#""\b\f\n\r\t""#),
        ("\"\u{a0}ÿĀ\u{feff}\u{ffff}\"", r#""\u00a0\u00ff\u0100\ufeff\uffff""#),
        (
            r#"{"é": 1, "e": 2, "z": 3, "中": 4, "😀": 5, "ﬁ": 6, "A": 7, "": 8, "a": 9, "aa": 10, "\n": 11}"#,
            r#"{"": 8, "\n": 11, "A": 7, "a": 9, "aa": 10, "e": 2, "z": 3, "\u00e9": 1, "\u4e2d": 4, "\ufb01": 6, "\ud83d\ude00": 5}"#,
        ),
        (r#"{"b\u0000": 1, "b": 2, "B": 3, "_": 4, "~": 5}"#, r#"{"B": 3, "_": 4, "b": 2, "b\u0000": 1, "~": 5}"#),
        (r"0", r"0"),
        (r"-0", r"0"),
        (r"7", r"7"),
        (r"-7", r"-7"),
        (r"123456789012345678901234567890", r"123456789012345678901234567890"),
        (r"-123456789012345678901234567890", r"-123456789012345678901234567890"),
        (
            r"[9007199254740993, 18446744073709551616, -9223372036854775809]",
            r"[9007199254740993, 18446744073709551616, -9223372036854775809]",
        ),
        (r"1.0", r"1.0"),
        (r"1.5", r"1.5"),
        (r"-0.0", r"-0.0"),
        (r"0.1", r"0.1"),
        (r"-0.1", r"-0.1"),
        (r"1e-4", r"0.0001"),
        (r"0.0001", r"0.0001"),
        (r"1e-5", r"1e-05"),
        (r"0.00001", r"1e-05"),
        (r"1e15", r"1000000000000000.0"),
        (r"1e16", r"1e+16"),
        (r"1E16", r"1e+16"),
        (r"1e22", r"1e+22"),
        (r"123456789012345678.0", r"1.2345678901234568e+17"),
        (r"2.5e-7", r"2.5e-07"),
        (r"1e400", r"Infinity"),
        (r"-1e400", r"-Infinity"),
        (r"1e-400", r"0.0"),
        (r"-1e-400", r"-0.0"),
        (r"5e-324", r"5e-324"),
        (r"4.9406564584124654e-324", r"5e-324"),
        (r"1.7976931348623157e308", r"1.7976931348623157e+308"),
        (r"2.2250738585072014e-308", r"2.2250738585072014e-308"),
        (r"1E5", r"100000.0"),
        (r"1.0e+2", r"100.0"),
        (r"100.0", r"100.0"),
        (r"0.30000000000000004", r"0.30000000000000004"),
        (r"9999999999999998.0", r"9999999999999998.0"),
        (r"12345.678", r"12345.678"),
        (r"1000000000000000.25", r"1000000000000000.2"),
        (r"1000000000000000.75", r"1000000000000000.8"),
        (
            r"[1234567.125, 8390250.0478515625, -8409013.9423828125, 0.5]",
            r"[1234567.125, 8390250.047851562, -8409013.942382812, 0.5]",
        ),
        (r"1.00000000000000000000000001", r"1.0"),
        (r"0e0", r"0.0"),
        (r"-0e-5", r"-0.0"),
        (r"1e-7", r"1e-07"),
        (r"1.5e300", r"1.5e+300"),
        (
            r"[0.1, 1, -0, -0.0, 1e2, 10.50, 3.14159265358979323846]",
            r"[0.1, 1, 0, -0.0, 100.0, 10.5, 3.141592653589793]",
        ),
        (
            r#"{"n": {"f": 2.0, "i": 2, "big": 1e100, "tiny": 1.5e-10, "neg": -12.5e3}, "s": "é\"\\", "list": [{"b": null, "a": [true, false]}]}"#,
            r#"{"list": [{"a": [true, false], "b": null}], "n": {"big": 1e+100, "f": 2.0, "i": 2, "neg": -12500.0, "tiny": 1.5e-10}, "s": "\u00e9\"\\"}"#,
        ),
    ];

    /// `(f64 bit pattern, Python repr(float))`, generated with CPython 3.11 from a fixed seed:
    /// edge values, random bit patterns, decimal-looking values around the fixed/scientific
    /// switch, random mantissas at random binary exponents, integer-valued floats, values with
    /// few fractional bits, and 36 exact decimal ties (e.g. `1000000000000000.25`) where Rust's
    /// `{:e}` rounds the last digit up but Python rounds it to even.
    const FLOAT_VECTORS: &[(u64, &str)] = &[
        (0x0000000000000000, "0.0"),
        (0x8000000000000000, "-0.0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x0010000000000000, "2.2250738585072014e-308"),
        (0x000fffffffffffff, "2.225073858507201e-308"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x3ff0000000000000, "1.0"),
        (0xbff0000000000000, "-1.0"),
        (0x3fb999999999999a, "0.1"),
        (0x3fc999999999999a, "0.2"),
        (0x3fd3333333333333, "0.3"),
        (0x4340000000000000, "9007199254740992.0"),
        (0x4340000000000001, "9007199254740994.0"),
        (0x43e0000000000000, "9.223372036854776e+18"),
        (0x43f0000000000000, "1.8446744073709552e+19"),
        (0x0000000000000003, "1.5e-323"),
        (0x3fd5555555555555, "0.3333333333333333"),
        (0x3fe5555555555555, "0.6666666666666666"),
        (0x400921fb54442d18, "3.141592653589793"),
        (0x4005bf0a8b145769, "2.718281828459045"),
        (0x3f1a36e2eb1c432d, "0.0001"),
        (0x3f1a36e2eb1c432e, "0.00010000000000000002"),
        (0x3f1a36e2eb1c432f, "0.00010000000000000003"),
        (0x3f1a36e2eb1c432c, "9.999999999999999e-05"),
        (0x3f1a36e2eb1c432b, "9.999999999999998e-05"),
        (0x3f1a36e2eb1c432a, "9.999999999999996e-05"),
        (0x3ee4f8b588e368f1, "1e-05"),
        (0x3ee4f8b588e368f2, "1.0000000000000003e-05"),
        (0x3ee4f8b588e368f3, "1.0000000000000004e-05"),
        (0x3ee4f8b588e368f0, "9.999999999999999e-06"),
        (0x3ee4f8b588e368ef, "9.999999999999997e-06"),
        (0x3ee4f8b588e368ee, "9.999999999999996e-06"),
        (0x430c6bf526340000, "1000000000000000.0"),
        (0x430c6bf526340001, "1000000000000000.1"),
        (0x430c6bf526340002, "1000000000000000.2"),
        (0x430c6bf52633ffff, "999999999999999.9"),
        (0x430c6bf52633fffe, "999999999999999.8"),
        (0x430c6bf52633fffd, "999999999999999.6"),
        (0x4341c37937e08000, "1e+16"),
        (0x4341c37937e08001, "1.0000000000000002e+16"),
        (0x4341c37937e08002, "1.0000000000000004e+16"),
        (0x4341c37937e07fff, "9999999999999998.0"),
        (0x4341c37937e07ffe, "9999999999999996.0"),
        (0x4341c37937e07ffd, "9999999999999994.0"),
        (0x4376345785d8a000, "1e+17"),
        (0x4376345785d8a001, "1.0000000000000002e+17"),
        (0x4376345785d8a002, "1.0000000000000003e+17"),
        (0x4376345785d89fff, "9.999999999999998e+16"),
        (0x4376345785d89ffe, "9.999999999999997e+16"),
        (0x4376345785d89ffd, "9.999999999999995e+16"),
        (0x3f50624dd2f1a9fc, "0.001"),
        (0x3f50624dd2f1a9fd, "0.0010000000000000002"),
        (0x3f50624dd2f1a9fe, "0.0010000000000000005"),
        (0x3f50624dd2f1a9fb, "0.0009999999999999998"),
        (0x3f50624dd2f1a9fa, "0.0009999999999999996"),
        (0x3f50624dd2f1a9f9, "0.0009999999999999994"),
        (0x4480f0cf064dd592, "1e+22"),
        (0x4480f0cf064dd593, "1.0000000000000002e+22"),
        (0x4480f0cf064dd594, "1.0000000000000004e+22"),
        (0x4480f0cf064dd591, "9.999999999999998e+21"),
        (0x4480f0cf064dd590, "9.999999999999996e+21"),
        (0x4480f0cf064dd58f, "9.999999999999994e+21"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x44b52d02c7e14af8, "1.0000000000000003e+23"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af4, "9.999999999999996e+22"),
        (0x44b52d02c7e14af3, "9.999999999999994e+22"),
        (0xf6cf88253a8163c8, "-1.9857987212092578e+264"),
        (0x17dbf0fa850a4120, "9.569070649636573e-194"),
        (0x885e3586036f047e, "-2.287290467872661e-268"),
        (0x87a1b09d3aae4044, "-6.540023073714385e-272"),
        (0xf7ab5777da1eaf69, "-2.8211828278527132e+268"),
        (0x0485e40fa29983a2, "7.188148411980871e-287"),
        (0xdd41ab09f4d1244e, "-1.6832101468667882e+141"),
        (0xd26271bc73581a1c, "-7.338215925428813e+88"),
        (0xeb9af22f149d5f58, "-2.214684132785839e+210"),
        (0x2784b2ff53b8c1cc, "2.5651067970848815e-118"),
        (0x6329e6e8e52c8de9, "4.8876570756352997e+169"),
        (0xb8f3a0d3b50bdc85, "-2.362662292149996e-34"),
        (0x2de038c901b9df35, "1.019320530131305e-87"),
        (0x51dbed65348c966c, "2.1701418612205227e+86"),
        (0x26ac8ee5139d9864, "2.160042740718223e-122"),
        (0x5069065732955fb8, "2.318136138266776e+79"),
        (0xa921d99c53817227, "-1.4844679739949173e-110"),
        (0xb385d27701a05983, "-1.6974929798009314e-60"),
        (0x6cac7f5468e5d12c, "3.069954064266074e+215"),
        (0xc08c3b90df0d6571, "-903.445737938555"),
        (0xc54622cfe7fdcdca, "-5.352152736941265e+25"),
        (0xec20c0ff52f6720c, "-7.050221560373045e+212"),
        (0xbb6be6c84cd64dc6, "-1.846365981102542e-22"),
        (0x6f0a0f70d7a6176c, "7.71696308927646e+226"),
        (0x7f6e1927c23bacca, "6.604912185364832e+305"),
        (0x5b9fcea32a7b52a4, "2.2576843857612743e+133"),
        (0xb940b74d0b95e198, "-6.438776450090262e-33"),
        (0x43f4d144bff5aa50, "2.4000891874273722e+19"),
        (0xab725432c4498ee7, "-2.0949701183558233e-99"),
        (0x84fc2b6e4dbb9612, "-1.1839833364296952e-284"),
        (0xf2ed64810f4c3925, "-4.013880176289419e+245"),
        (0x21c316c954d08bf6, "4.777222920973134e-146"),
        (0x1e93b0a557e245ed, "2.1883085382037182e-161"),
        (0xc28fc91ca4fdee06, "-4368578682813.753"),
        (0x968d13c2857dfb76, "-4.7483779576577463e-200"),
        (0x9fbdd75dd514fb3e, "-8.694000026066174e-156"),
        (0xc0fffeba83c9475a, "-131051.65717437622"),
        (0xc80d2425471dc8f1, "-1.2395293007437656e+39"),
        (0x9ffbb7c64fb8ef3f, "-1.2920582304956622e-154"),
        (0xd231dcc0cbed7bb6, "-8.883345221907177e+87"),
        (0x2b3f2474bc48a6c8, "2.2247111043083457e-100"),
        (0x27d09367b8265712, "6.573190595785742e-117"),
        (0xe870b8463e391c00, "-1.2205311073489768e+195"),
        (0x471e35060233820f, "3.921108737881322e+34"),
        (0x53a6ba93e79f1a65, "9.482121771190474e+94"),
        (0xd3f97f17af8dfaa8, "-3.4037561060346214e+96"),
        (0xbc80bb487b52f198, "-2.902465548025529e-17"),
        (0xce7e3e15fc49ac72, "-1.3045388902523834e+70"),
        (0x2f23058368f4d037, "1.2533050124349909e-81"),
        (0x18293786c43a6c7b, "2.7635318722230153e-192"),
        (0x95daee355e4d6c93, "-2.1473724954969347e-203"),
        (0x94f668af85ca74b5, "-1.0905964679634239e-207"),
        (0xc769a308190229bf, "-1.0649127663504501e+36"),
        (0x9b3b0be9c5fee92c, "-1.6686075910524896e-177"),
        (0x2c628548e5bb5178, "6.936612728233937e-95"),
        (0xbbb500bbc7b13d63, "-4.447529723144871e-21"),
        (0x990d9aea455ed368, "-5.315691845621629e-188"),
        (0x57a53e6addd7ee44, "1.6348614346881984e+114"),
        (0xdfc500b7bd5bb2e1, "-2.2000121661157393e+153"),
        (0xc062e82226f2d266, "-151.254168962728"),
        (0x2e8fc78f17419b62, "2.0448368266843492e-84"),
        (0x2c947a562fa0b5c8, "6.135730901079616e-94"),
        (0x041050c7b109f276, "4.185485206601795e-289"),
        (0x189210b2a036e72e, "2.5341139451306315e-190"),
        (0xc68f080cc0c6369c, "-7.867405873540338e+31"),
        (0xc1ecac6b72010292, "-3848493968.0315638"),
        (0x95a420f56a62e71f, "-2.006271229887167e-204"),
        (0x1ab501b1142e97ad, "5.062424254084677e-180"),
        (0x85015631db66185f, "-1.4573386959331253e-284"),
        (0x6e5c97bf05d27cb4, "4.1342130787670446e+223"),
        (0x4038b2c2d815d369, "24.698285584763116"),
        (0x5319cc92e3c6314b, "2.102149127286019e+92"),
        (0x7c9662ed668fdcd0, "1.396242164136161e+292"),
        (0x8011d14cfa0a6a54, "-2.4778395817425747e-308"),
        (0xc1bc06e7e8576da2, "-470214632.3415166"),
        (0x41f4d2b1caa8698b, "5589638314.525767"),
        (0xbd9756657dec2ec8, "-5.30633e-12"),
        (0xc14aa33ed1de1fdb, "-3491453.6395912"),
        (0xc017fc01a36e2eb2, "-5.9961"),
        (0x3c770ef54646d497, "2e-17"),
        (0x3c2610892fe33640, "5.98062e-19"),
        (0x3dd5da9ef6a352df, "7.9504345519822e-11"),
        (0x3cbb61c343741c73, "3.8e-16"),
        (0x44e5a23d7f35e075, "8.173e+23"),
        (0xbf7b71758e219653, "-0.0067"),
        (0x44a8d16cbb27c985, "5.86e+22"),
        (0x3ea46e2560d2d32c, "6.088691308e-07"),
        (0x40f4a1751eb851ec, "84503.32"),
        (0xc51adc4f303890f5, "-8.11811317592e+24"),
        (0xc25e7c8061a64666, "-523751229081.1"),
        (0x42644cdfbec981ec, "697512621644.06"),
        (0x4192d3798799999a, "78962273.9"),
        (0x3cd203af9ee75616, "1e-15"),
        (0x3e3fb36b3d97564b, "7.3809305e-09"),
        (0x3c7d54203a40a5d1, "2.543852e-17"),
        (0xc19638fb40049ba6, "-93208272.0045"),
        (0xc07666a8dfbd6a59, "-358.416229"),
        (0x3f23286d03d3e7fc, "0.00014616328"),
        (0x40b5f727a64d5034, "5623.154881317216"),
        (0xc2b1b9df78217000, "-19490015814000.0"),
        (0x468df16da7861a42, "7.5914725257725e+31"),
        (0x41dfdd4e00b33333, "2138388482.8"),
        (0x41e65a0bc0000000, "3000000000.0"),
        (0x40a91d54fdf3b646, "3214.666"),
        (0x3d704e62f14f8ccc, "9.269e-13"),
        (0x3c49c127d3e31a4c, "2.79231e-18"),
        (0x4190b07600000000, "70000000.0"),
        (0x3f2edeacced56d67, "0.000235518069"),
        (0xc197d78400000000, "-100000000.0"),
        (0xc3997ac845bf9e00, "-4.59e+17"),
        (0x436c4842d666c880, "6.368601e+16"),
        (0xbea10faad758b06b, "-5.084634e-07"),
        (0xc39a35162cb3a380, "-4.7211e+17"),
        (0xc41158e460913d00, "-8e+19"),
        (0x3d404915888e6f97, "1.157153294e-13"),
        (0x3f815b573eab367a, "0.008475"),
        (0x3fec938a3e9785a6, "0.8930102560517994"),
        (0x3d7c1d390acc5230, "1.59810449785e-12"),
        (0xbfc2e33ebb43c7d3, "-0.14755996841228"),
        (0x3f305e4a2228b812, "0.000249760722144"),
        (0x45506fa2dbbdc416, "7.948e+25"),
        (0xc319c8056a34c000, "-1814200000000000.0"),
        (0xbc1a90352e248a68, "-3.6e-19"),
        (0xc64f1716e974afd6, "-4.926437784e+30"),
        (0xc51738391dfedf84, "-7.0177e+24"),
        (0x42693a1704040000, "866790154272.0"),
        (0xc32364379bd9df1a, "-2729107279114125.0"),
        (0x3d05f0fb4ff8026b, "9.74391e-15"),
        (0x3f416a4e0ddca8cb, "0.000531471359612534"),
        (0x426c436d3d57b130, "971122535101.5371"),
        (0x4643dc8860fdaef0, "3.14717332374e+30"),
        (0xbe0c019b829851c1, "-8.1509e-10"),
        (0xbdd621536e4748ef, "-8.05091233e-11"),
        (0x43018ac54fe9c1f9, "617206832248895.1"),
        (0xc013333333333333, "-4.8"),
        (0x44adbb196880eb4c, "7.02e+22"),
        (0x425795a917240000, "405180538000.0"),
        (0x3f5dac2fa53274b4, "0.0018110719"),
        (0x3fb0786e45accda5, "0.06433762742090339"),
        (0x3cf2f37e628f0385, "4.208e-15"),
        (0x3db058bea97e1e9d, "1.48672e-11"),
        (0x41fdcd6500000000, "8000000000.0"),
        (0xc4ad59458d661986, "-6.92977e+22"),
        (0x3dc56634a3528287, "3.892499206231e-11"),
        (0x3df49907e2033d07, "2.99737098e-10"),
        (0x3e972e4252ba46a9, "3.4541934e-07"),
        (0x45b4734f0e7e7040, "6.3291e+27"),
        (0xc0216b851eb851ec, "-8.71"),
        (0x3c05fd0f93b500cb, "1.49e-19"),
        (0xfac4ea44be3565ff, "-2.4297753395702905e+283"),
        (0x0ff5831fa0643157, "8.660205571522785e-232"),
        (0x42b6da63f9aabf30, "25127235988159.188"),
        (0xaa12d0800e007694, "-5.127116119778792e-106"),
        (0xd70a0af9258d5320, "-1.9572088158879988e+111"),
        (0x551fc2813310106e, "1.1114657666253364e+102"),
        (0x580b32f92c74f05c, "1.3396246019311888e+116"),
        (0x0000000001291918, "9.6197625e-317"),
        (0x0e37963b465fd6a0, "3.537311174206171e-240"),
        (0x2f313f024d5cc91c, "2.2726513049266483e-81"),
        (0x1be754466520e432, "2.947625802874979e-174"),
        (0x7a77011b2e0485a0, "8.351517154678902e+281"),
        (0x9aea06846c560a8e, "-5.0175414812595584e-179"),
        (0x269a4906c8705ec0, "9.940633240907467e-123"),
        (0x000000000ec12b62, "1.223012955e-315"),
        (0x459e96af937c65a4, "2.3666795755880446e+27"),
        (0xc6badb557206c8a8, "-5.447200613609812e+32"),
        (0x3b8346e1fda06bbc, "5.102549197206491e-22"),
        (0x20247f898f131046, "7.644125288455004e-154"),
        (0x12fcb44752f04512, "3.252585998482992e-217"),
        (0x0000000000000006, "3e-323"),
        (0xa41396f46eb9dc10, "-6.737969025831936e-135"),
        (0x4bd2e77a20eb74b6, "1.8541192554881294e+57"),
        (0x1a9b32e91fc7582c, "1.6386774094779338e-180"),
        (0x7c9c195d46a0201f, "1.7525398618996424e+292"),
        (0x539c2b84a77d2264, "5.876048791211187e+94"),
        (0x3ae080729a35d2cc, "4.265602060177596e-25"),
        (0x8e6481fe0ec779e2, "-2.46043652961608e-239"),
        (0x448793e5e65a87b6, "1.3917833314081924e+22"),
        (0x716e36610cc63802, "2.4591899621947956e+238"),
        (0x4153cef98e977864, "5192678.227995012"),
        (0x1a6566a95406b576, "1.6117108196465777e-181"),
        (0x0d0ce97b17c09c6b, "8.27012749063538e-246"),
        (0x79d7fc07c4498b72, "8.503281448451648e+278"),
        (0x54b54a06a1e4c3d8, "1.164118468449495e+100"),
        (0xa020c1f3622ed010, "-6.249201985685277e-154"),
        (0x06e310271b8d72e8, "1.720629750632391e-275"),
        (0x7aff5476095f1158, "2.9117581153527633e+284"),
        (0x601cf84a49f9efac, "9.710565863039027e+154"),
        (0x028b63fd2ae0b1a8, "2.0940909333953317e-296"),
        (0x83f8a0340465e982, "-1.5793355715867018e-289"),
        (0x8c98793954cf3610, "-5.469154797416438e-248"),
        (0x5094afcea1e2f3d3, "1.5330314374678575e+80"),
        (0xeacf736be018245c, "-3.155437909241237e+206"),
        (0x2b41d4d14da2af4d, "2.547621557554673e-100"),
        (0x078315d21bb276db, "1.7639712225061407e-272"),
        (0x1f9bac52d1de45c3, "2.0155829858282541e-156"),
        (0x4147c65a403ce924, "3116212.501858847"),
        (0x3a036696abd479ca, "3.0608965209706147e-29"),
        (0x3f749ad3ae326608, "0.005030466915877614"),
        (0x719d8653b8f686ad, "1.9225705642022226e+239"),
        (0x3771b66a17fcc0ee, "1.270813595058756e-41"),
        (0x94e27847def6ad41, "-4.494447324557182e-208"),
        (0xf1792776ea4e2fcc, "-4.0949289618314874e+238"),
        (0xcd7a6db9a0f26c50, "-1.7395361727425952e+65"),
        (0xeebb3b21ca877cf5, "-2.5198814804990752e+225"),
        (0x5cf93f5df29bb108, "7.51652066030736e+139"),
        (0x8bafdf575e3b55dc, "-2.1736458186299972e-252"),
        (0x7762701a5efd3924, "1.1890433347673549e+267"),
        (0x669909c23cae64a4, "1.702233195382593e+186"),
        (0x81de9da5042a0609, "-1.1429044617306046e-299"),
        (0x3a4988419d8b534a, "6.445246337010692e-28"),
        (0x9d59bb9c2ac406ad, "-2.7274094199649095e-167"),
        (0xcec2ed5eda58da04, "-2.6126186156107824e+71"),
        (0x51f904c27c2f92a6, "7.776454653622562e+86"),
        (0x8bbfc1ce30773c03, "-4.331554953476236e-252"),
        (0x26752989f3557d0c, "2.0008008216254104e-123"),
        (0x4671c8b104c2392c, "2.2543836272785416e+31"),
        (0xeb58fdafa18a50e0, "-1.2837485551448575e+209"),
        (0x10c890a06f655398, "8.101196025929554e-228"),
        (0x375728712bc69147, "4.1537583872169874e-42"),
        (0xe0cac295a8b35298, "-1.8370264519445248e+158"),
        (0x4c29c46c063b86ec, "8.087189803879434e+58"),
        (0xc4257fa37a70119c, "-1.982894775168358e+20"),
        (0x2a4f667ba4131240, "6.845507534152517e-105"),
        (0x41eea337e1900000, "4112105228.5"),
        (0x40f0557680000000, "66903.40625"),
        (0x43951a05ec7fc2ba, "3.801335843762131e+17"),
        (0x4269c5941c228800, "885512003860.25"),
        (0x4163b08630000000, "10322993.5"),
        (0x41e9dae5cdf00000, "3470208623.5"),
        (0x40817c0000000000, "559.5"),
        (0x43c5cb44ee05938c, "3.1408493683104215e+18"),
        (0x426b5e22bdcfd788, "940347616894.7354"),
        (0x42e13ab58de00958, "151550813995082.75"),
        (0x41b547b899c00000, "357021849.75"),
        (0x3fe5980000000000, "0.6748046875"),
        (0x3fb1c00000000000, "0.0693359375"),
        (0x41470fcff0000000, "3022751.875"),
        (0x40c984e000000000, "13065.75"),
        (0x4043400000000000, "38.5"),
        (0x41f9cc7376161800, "6925268833.380859"),
        (0x40f68229ac000000, "92194.6044921875"),
        (0x41c6d6b53c100000, "766339704.125"),
        (0x404c924000000000, "57.142578125"),
        (0x43a08fe9da5c568a, "5.967147751688942e+17"),
        (0x416330a7a0000000, "10061117.0"),
        (0x43310b87721b9d3c, "4797750966983996.0"),
        (0x430533618ee1e1dd, "745933576617019.6"),
        (0x43b300fe10562098, "1.3693736328385393e+18"),
        (0x4395dfaa072ef027, "3.940413356079866e+17"),
        (0x40e75ae000000000, "47831.0"),
        (0x40cade0000000000, "13756.0"),
        (0x4340451b7bda3610, "9159167943404576.0"),
        (0x4031d4c000000000, "17.8310546875"),
        (0x41bf8ebdf4e00000, "529448436.875"),
        (0x423511ea4e478980, "90494881351.53711"),
        (0x4304af9b4defb75e, "727822637070059.8"),
        (0x40bb370000000000, "6967.0"),
        (0x40f074c000000000, "67404.0"),
        (0x407de80000000000, "478.5"),
        (0x4361275a3ccce572, "3.862674499745678e+16"),
        (0x41de3dd3f27ede69, "2029473737.9823248"),
        (0x407848f7d2e97e23, "388.5605038758096"),
        (0x42a32df81d4df40f, "10544078563066.03"),
        (0x420c0913160da574, "15051416257.705788"),
        (0x40d1772e2b7b4120, "17884.721403897856"),
        (0x3ffa49006a906f75, "1.642822662607583"),
        (0x41db4e8cc9d7efe6, "1832530727.3740172"),
        (0x3fe74883134531e4, "0.7276015640614415"),
        (0x40cfa0bd115bb13c, "16193.477092229405"),
        (0x402993b6a2023f30, "12.78850275304248"),
        (0x42afdf1916ac35a0, "17521529542170.812"),
        (0x42001846bc32c993, "8640845702.348425"),
        (0x3fe376fb6520d13e, "0.6082741713676467"),
        (0x42b8ab6be3d127e6, "27124528566567.9"),
        (0x41a0be8444ccb8a0, "140460578.39984608"),
        (0x407fdfd1da74fee0, "509.98873372746857"),
        (0x420ad0a08eced705, "14396166617.85499"),
        (0x41a193ddcd35da73, "147451622.60518226"),
        (0x3ff1d87f615f2cb2, "1.1153558543763151"),
        (0x40609ae6a703370c, "132.84065580966887"),
        (0x429e1b27f5b1ca2c, "8275495840882.543"),
        (0x4252bc0be33d6fc6, "321857228021.74646"),
        (0x41c6a2a4ab387c4a, "759515478.441293"),
        (0x411d470087aa8ea1, "479680.1324865614"),
        (0x40ccfd6fa7aa28e9, "14842.872304220176"),
        (0x4196c59f8c8faf76, "95512547.14031777"),
        (0x403bec53269263b2, "27.923143778552635"),
        (0x42da96a6a5e15616, "116937373222232.34"),
        (0x426b64182d6d8e8a, "941147384684.4543"),
        (0x3fe445850cfb5ab7, "0.6334862950851264"),
        (0x4273ddb7b028f1b5, "1365186904719.1067"),
        (0x42acb3a47b02df01, "15778942124399.502"),
        (0x4012b62e153664c8, "4.6779101671647325"),
        (0x40867060f2739a78, "718.0473374396815"),
        (0x40b9cb17b91d0715, "6603.09266835616"),
        (0x3ff0ffc16feba78b, "1.0624403354545133"),
        (0x3fa3bb5c3cdcad81, "0.03853882067627535"),
        (0x406530305dbcf783, "169.50590407283389"),
        (0x41542b9350c1611a, "5287501.261802936"),
        (0x410e570c78f09bc9, "248545.55905267436"),
        (0x3fdfd02ecb537db6, "0.49708146911686"),
        (0x42938d9823a34441, "5374715947217.063"),
        (0x41785ba51d17f005, "25541201.818344135"),
        (0x4229edfeef5aadd5, "55683545005.339516"),
        (0x417cb2113f2d9718, "30089491.948630422"),
        (0x4221406b9bdeb0ca, "37047619055.34529"),
        (0x41f04e2cb62823f9, "4376939362.508782"),
        (0x404a88afb53d2630, "53.067862181528085"),
        (0x415b195ed2549490, "7103867.286412373"),
        (0x4139744f4c2061c8, "1668175.2973691095"),
        (0x40ae83a42c69c19f, "3905.8206513451437"),
        (0x40f01664daaf8c93, "65894.30339007294"),
        (0x4191f039f599c6f4, "75239037.40017301"),
        (0x40505958f02cfdf6, "65.39605335611108"),
        (0x3fa984194f5f96f4, "0.04983595937646426"),
        (0x40803690909249d1, "518.8205882481362"),
        (0x407c31dd825057df, "451.11657935508805"),
        (0x3f860e4693056a48, "0.01076941620037987"),
        (0x3ff5d6f7f6b38d3e, "1.3649825703403873"),
        (0x4138530e35d63003, "1594126.2102994926"),
        (0x40c7563a28c543e3, "11948.454369218967"),
        (0x40056ec9603ea456, "2.679095031654053"),
        (0x41203af12838f906, "531832.5785596676"),
        (0x41f0dd4518bb2bad, "4526985611.698163"),
        (0x42ed80fb04a23931, "259518435234249.53"),
        (0x40bf431fde79966f, "8003.124488448359"),
        (0x403b9cf397e4fab1, "27.613091939356938"),
        (0x3f5289a395fa2c46, "0.00113144850903059"),
        (0x3ff49d231682fac7, "1.2883635405884648"),
        (0x404c5e5ef7eec86a, "56.73727320823021"),
        (0x41071238f1dfa4ea, "188999.1181023487"),
        (0x3f986d0df1c6a4a0, "0.02385350979026113"),
        (0x40d1b82370cc0550, "18144.553759579838"),
        (0x4062a0894f4ae139, "149.01676144242245"),
        (0x40b0a8f10066df02, "4264.941412381597"),
        (0x430c0514cfa4080a, "985860786127105.2"),
        (0x43096b971d113032, "894396398708230.2"),
        (0x42d6d98a4e3f1e88, "100494336392314.12"),
        (0x42d38d36fb882e88, "85988935082170.12"),
        (0x42dbc606715e9d08, "122149302270580.12"),
        (0x42e19555fd22f974, "154664723617739.62"),
        (0x42aaee683585efa0, "14805626438391.812"),
        (0x41c7c7f832968000, "797962341.1757812"),
        (0x42e2348df38206e4, "160135433162807.12"),
        (0x43099d9ee883f742, "901272531140328.2"),
        (0x431ce6d708bbb6f5, "2033777646693821.2"),
        (0x431dda82bac58d99, "2100757334680422.2"),
        (0x41cb00f397308000, "906094382.3789062"),
        (0x43173421d3574ba5, "1632811087155945.2"),
        (0x42d6c2104c91ad08, "100091011679924.12"),
        (0x430eb50ee1b29cba, "1080415602758551.2"),
        (0x42d9fb1a3e2bb448, "114265071070929.12"),
        (0x43089ce1feb47cd2, "865986736983962.2"),
        (0x430a21402b4a39d2, "919363610298170.2"),
        (0x42d947f4a60c19e8, "111187351580775.62"),
        (0x42bd13a1512d17d0, "31970148035863.812"),
        (0x43137bb4e589cf09, "1371010358211522.2"),
        (0x42d38f8b2b0ce348, "86028944421773.12"),
        (0xc3094bb996bcc2c2, "-890016860969048.2"),
        (0x4304c6f2af1cd19a, "731030644562483.2"),
        (0x41c4c08f44968000, "696327817.1757812"),
        (0x431c700d2829d805, "2001125289653761.2"),
        (0x41c891ac52228000, "824400036.2695312"),
        (0x4314823c47924195, "1443173736157285.2"),
        (0x4301fa6cf353b45a, "632552556230283.2"),
        (0x430bc9311ed49a82, "977629647377232.2"),
        (0x417aaf533c040000, "27981107.750976562"),
        (0x42e7730b5d5657a4, "206263034753725.12"),
        (0xc2d361d293d49528, "-85243462636116.62"),
        (0x4160fb9f7f480000, "8903931.977539062"),
        (0x430f22d9dbab1382, "1095505420837488.2"),
    ];

    #[test]
    fn matches_python_json_dumps_sort_keys() {
        assert!(PYTHON_VECTORS.len() >= 60);
        for &(source, expected) in PYTHON_VECTORS {
            let value: Value =
                serde_json::from_str(source).unwrap_or_else(|err| panic!("cannot parse {source:?}: {err}"));
            assert_eq!(python_dumps_sorted_string(&value), expected, "source: {source:?}");
        }
    }

    #[test]
    fn dumps_appends_to_the_buffer() {
        let mut out = b"prefix:".to_vec();
        python_dumps_sorted(&json!({"b": 1, "a": [true]}), &mut out);
        assert_eq!(out, br#"prefix:{"a": [true], "b": 1}"#);
    }

    #[test]
    fn float_repr_matches_python() {
        assert!(FLOAT_VECTORS.len() >= 400);
        // An exact tie between two shortest candidates: Python keeps the even last digit.
        assert_eq!(python_float_repr(1e15 + 0.25), "1000000000000000.2");
        assert_eq!(python_float_repr(-(8_390_250.0 + 49.0 / 1024.0)), "-8390250.047851562");
        for &(bits, expected) in FLOAT_VECTORS {
            let x = f64::from_bits(bits);
            assert_eq!(python_float_repr(x), expected, "bits 0x{bits:016x}");
        }
    }

    #[test]
    fn float_repr_non_finite_is_json_dumps_spelling() {
        assert_eq!(python_float_repr(f64::INFINITY), "Infinity");
        assert_eq!(python_float_repr(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(python_float_repr(f64::NAN), "NaN");
    }

    #[test]
    fn values_built_in_rust_print_like_python() {
        let value = json!({
            "f": [100.0, 1e16, -0.0, 5e-324, 0.1, 1e-5, 2.5e-7],
            "i": [0, -5, u64::MAX, i64::MIN],
        });
        assert_eq!(
            python_dumps_sorted_string(&value),
            "{\"f\": [100.0, 1e+16, -0.0, 5e-324, 0.1, 1e-05, 2.5e-07], \
             \"i\": [0, -5, 18446744073709551615, -9223372036854775808]}"
        );
    }

    #[test]
    fn sha256_hex_known_answers() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn canonical_sha256_matches_python_hashlib() {
        // hashlib.sha256(json.dumps(v, sort_keys=True).encode()).hexdigest() in CPython 3.11.
        let value: Value = serde_json::from_str(r#"{"b": [1, 2.5, null], "a": "é😀", "c": {"z": true, "y": -0.0}}"#)
            .expect("valid JSON");
        assert_eq!(canonical_sha256_hex(&value), "5219ffb0dc4828557e8f6b4ec9e4aee12bdc78dc6e1de23d24e2d32afff5fd83");
    }

    /// Every `files[]` entry of every `final_reporting_closeout_artifact_bundle` in a store.
    fn bundle_files(store: &Value) -> Vec<&Value> {
        let items = store["items"].as_array().expect("store has items[]");
        items
            .iter()
            .filter_map(|item| item.get("final_reporting_closeout_artifact_bundle"))
            .filter_map(|bundle| bundle.get("files").and_then(Value::as_array))
            .flatten()
            .collect()
    }

    /// A store of `sample-evidence/`: its bundle hashes were computed by Python's `json.dumps(content,
    /// sort_keys=True)` (scripts/gen-sample-evidence.py); CAVRA's own are checked by the conformance suite.
    fn load_store(name: &str) -> Value {
        crate::samples::on_disk::json(name)
    }

    /// Rebuilds every object with its keys in reverse order (forces the sorting path).
    fn reversed_keys(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(map.iter().rev().map(|(k, v)| (k.clone(), reversed_keys(v))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
            other => other.clone(),
        }
    }

    /// Changes one character of the first non-empty string found (depth first).
    fn mutate_first_string(value: &mut Value) -> bool {
        match value {
            Value::String(text) if !text.is_empty() => {
                let first = text.remove(0);
                text.insert(0, if first == 'x' { 'y' } else { 'x' });
                true
            }
            Value::Object(map) => map.values_mut().any(mutate_first_string),
            Value::Array(items) => items.iter_mut().any(mutate_first_string),
            _ => false,
        }
    }

    #[test]
    fn reproduces_python_artifact_bundle_hashes() {
        for name in ["clean-store.json", "accepted-risk-store.json"] {
            let store = load_store(name);
            let files = bundle_files(&store);
            assert!(files.len() >= 3, "{name}: expected bundle files, found {}", files.len());
            for file in files {
                let content = file.get("content").expect("files[] entry has content");
                assert!(content.is_object(), "{name}: content is an object");
                let expected = file["sha256"].as_str().expect("files[] entry has sha256");
                assert_eq!(canonical_sha256_hex(content), expected, "{name}: {}", file["path"]);
                assert_eq!(
                    canonical_sha256_hex(&reversed_keys(content)),
                    expected,
                    "{name}: key order must not matter"
                );
            }
        }
    }

    #[test]
    fn one_changed_character_changes_the_hash() {
        let store = load_store("clean-store.json");
        let file = bundle_files(&store)[0];
        let expected = file["sha256"].as_str().expect("files[] entry has sha256");
        let mut content = file["content"].clone();
        assert_eq!(canonical_sha256_hex(&content), expected);
        assert!(mutate_first_string(&mut content), "content has a string");
        assert_ne!(canonical_sha256_hex(&content), expected);
    }
}
