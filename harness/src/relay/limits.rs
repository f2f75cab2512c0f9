//! The NIP-11 document (OS-RELAY-15, OS-RELAY-16): served on the relay's
//! URL for `Accept: application/nostr+json`; `supported_nips` lists NIP-40
//! exactly when the relay honours it; the limits it announces are the ones
//! it enforces and leave room for the largest OpenSlots event.
//!
//! The document is fetched with a minimal HTTP/1.1 GET over the same host
//! and port (`ws://` only), bounded by the suite's timeout.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::fixtures;
use super::publish::{connect, fetch_ids};
use super::{Finding, Findings, Options};

/// The largest content either profile produces, in characters: a v1 event
/// at NIP-44's 65,535-byte plaintext limit (spec §10.5).
pub const LARGEST_CONTENT: u64 = 87_472;

/// What the NIP-11 request returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Nip11 {
    /// A JSON object.
    Document(Value),
    /// Something else; what.
    Missing(String),
}

fn host_port_path(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| format!("{url}: only ws:// URLs are supported for NIP-11"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(format!("{url}: no host"));
    }
    Ok((authority.to_owned(), path.to_owned()))
}

fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Fetches the NIP-11 document of the relay at `url`.
pub async fn fetch_nip11(url: &str, timeout: Duration) -> Nip11 {
    let (authority, path) = match host_port_path(url) {
        Ok(x) => x,
        Err(e) => return Nip11::Missing(e),
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/nostr+json\r\nConnection: close\r\n\r\n"
    );
    let exchange = async {
        let mut stream = TcpStream::connect(&authority).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut buf = Vec::new();
        stream.take(4 << 20).read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let raw = match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return Nip11::Missing(format!("HTTP request failed: {e}")),
        Err(_) => return Nip11::Missing(format!("no HTTP answer within {timeout:?}")),
    };
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Nip11::Missing("the connection closed without an HTTP response".to_owned());
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = &raw[split + 4..];
    let status = head.lines().next().unwrap_or_default().to_owned();
    if status.split_whitespace().nth(1) != Some("200") {
        return Nip11::Missing(format!("HTTP status line {status:?}"));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        match dechunk(body) {
            Some(b) => b,
            None => return Nip11::Missing("malformed chunked body".to_owned()),
        }
    } else {
        body.to_vec()
    };
    match serde_json::from_slice::<Value>(&body) {
        Ok(v @ Value::Object(_)) => Nip11::Document(v),
        Ok(_) => Nip11::Missing("the body is JSON but not an object".to_owned()),
        Err(_) => Nip11::Missing(format!(
            "the body is not JSON: {:?}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        )),
    }
}

fn document(nip11: &Nip11) -> Finding {
    match nip11 {
        Nip11::Missing(why) => Finding::NotMet(format!("no NIP-11 document: {why}")),
        Nip11::Document(doc) => match doc.get("supported_nips").and_then(Value::as_array) {
            Some(nips) if nips.iter().all(Value::is_u64) => Finding::Met(format!(
                "document served; software {:?}, supported_nips {}",
                doc.get("software")
                    .and_then(Value::as_str)
                    .unwrap_or("not given"),
                Value::Array(nips.clone())
            )),
            Some(_) => Finding::NotMet("supported_nips is not an array of integers".to_owned()),
            None => Finding::NotMet("the document has no supported_nips".to_owned()),
        },
    }
}

/// Whether the document announces NIP-40 (`None` without a document).
pub fn announces_nip40(nip11: &Nip11) -> Option<bool> {
    match nip11 {
        Nip11::Document(doc) => Some(
            doc.get("supported_nips")
                .and_then(Value::as_array)
                .is_some_and(|n| n.iter().any(|v| v.as_u64() == Some(40))),
        ),
        Nip11::Missing(_) => None,
    }
}

/// Publishes a kind-30078 event with `len` characters of content; whether
/// it was accepted and served, and what the relay said.
async fn probe_content(
    url: &str,
    options: &Options,
    len: usize,
) -> Result<(bool, String), Finding> {
    let keys = fixtures::random_keys()?;
    let event = fixtures::sign(
        &keys,
        fixtures::now(),
        vec![
            vec!["d".to_owned(), fixtures::random_d()?],
            vec!["t".to_owned(), openslots_oracle::event::APP_TAG.to_owned()],
        ],
        "x".repeat(len),
    )?;
    let mut conn = connect(url, options).await?;
    let p = conn.publish(&event).await?;
    let served = !fetch_ids(&mut conn, &[&event.id.to_hex()])
        .await?
        .is_empty();
    Ok((served, p.describe()))
}

async fn limits(url: &str, options: &Options, nip11: &Nip11) -> Finding {
    let Nip11::Document(doc) = nip11 else {
        return Finding::NotJudged("no NIP-11 document, so no announced limits".to_owned());
    };
    let Some(lim) = doc.get("limitation").and_then(Value::as_object) else {
        return Finding::Met("the document announces no limitation".to_owned());
    };
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let get = |k: &str| lim.get(k).and_then(Value::as_u64);
    if let Some(l) = get("max_content_length") {
        notes.push(format!("max_content_length {l}"));
        if l < LARGEST_CONTENT {
            problems.push(format!(
                "max_content_length {l} is below the largest OpenSlots content ({LARGEST_CONTENT} characters)"
            ));
        }
        if l < 4 << 20 {
            let len = usize::try_from(l).unwrap_or(usize::MAX);
            match probe_content(url, options, len.saturating_add(1)).await {
                Ok((true, said)) => problems.push(format!(
                    "announces max_content_length {l} but accepted and served {} characters ({said})",
                    l + 1
                )),
                Ok((false, _)) => notes.push(format!("{} characters refused", l + 1)),
                Err(f) => return f,
            }
            match probe_content(url, options, len).await {
                Ok((true, _)) => notes.push(format!("{l} characters accepted")),
                Ok((false, said)) => problems.push(format!(
                    "announces max_content_length {l} but refused exactly {l} characters ({said})"
                )),
                Err(f) => return f,
            }
        }
    }
    if let Some(m) = get("max_message_length") {
        notes.push(format!("max_message_length {m}"));
        if m < LARGEST_CONTENT + 1_000 {
            problems.push(format!(
                "max_message_length {m} cannot carry the largest OpenSlots event (content {LARGEST_CONTENT} characters plus about 600 bytes)"
            ));
        }
    }
    if let Some(u) = get("created_at_upper_limit") {
        notes.push(format!("created_at_upper_limit {u}"));
        if u < 60 {
            problems.push(format!(
                "created_at_upper_limit {u} is below the 60 s of OS-RELAY-13"
            ));
        }
    }
    for k in [
        "max_limit",
        "max_subscriptions",
        "max_subid_length",
        "default_limit",
    ] {
        if let Some(v) = get(k) {
            notes.push(format!("{k} {v}"));
        }
    }
    if problems.is_empty() {
        Finding::Met(format!("announced: {}", notes.join(", ")))
    } else {
        Finding::NotMet(format!(
            "{} (announced: {})",
            problems.join("; "),
            notes.join(", ")
        ))
    }
}

/// Runs the NIP-11 checks; also returns whether the relay announces NIP-40.
pub async fn run(url: &str, options: &Options) -> (Findings, Option<bool>) {
    let nip11 = fetch_nip11(url, options.timeout).await;
    let doc = document(&nip11);
    let lim = limits(url, options, &nip11).await;
    (
        vec![("nip11-document", doc), ("nip11-limits", lim)],
        announces_nip40(&nip11),
    )
}

/// `nip11-nip40`: whether the announcement matches what the expiry checks
/// found.
pub fn cross_check_nip40(findings: &Findings, announces: Option<bool>) -> Finding {
    let Some(announces) = announces else {
        return Finding::NotJudged("no NIP-11 document".to_owned());
    };
    let expiry: Vec<&Finding> = findings
        .iter()
        .filter(|(id, _)| id.starts_with("expiry-"))
        .map(|(_, f)| f)
        .collect();
    if expiry
        .iter()
        .any(|f| !matches!(f, Finding::Met(_) | Finding::NotMet(_)))
    {
        return Finding::NotJudged("the expiry checks could not be judged".to_owned());
    }
    let honours = expiry.iter().all(|f| matches!(f, Finding::Met(_)));
    match (announces, honours) {
        (true, true) => Finding::Met("announces NIP-40 and honours it".to_owned()),
        (false, false) => Finding::Met("neither announces nor fully honours NIP-40".to_owned()),
        (true, false) => Finding::NotMet(
            "announces NIP-40 in supported_nips but fails an expiry check".to_owned(),
        ),
        (false, true) => {
            Finding::NotMet("honours NIP-40 but does not list 40 in supported_nips".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_and_dechunks() {
        assert_eq!(
            host_port_path("ws://127.0.0.1:7000"),
            Ok(("127.0.0.1:7000".into(), "/".into()))
        );
        assert_eq!(
            host_port_path("ws://h:1/relay"),
            Ok(("h:1".into(), "/relay".into()))
        );
        assert!(host_port_path("wss://h:1").is_err());
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n"),
            Some(b"abcde".to_vec())
        );
        assert_eq!(dechunk(b"5\r\nab"), None);
    }
}
