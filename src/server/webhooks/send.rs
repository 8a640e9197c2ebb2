//! One POST of an event to an endpoint. The connection goes only to the addresses
//! `target::resolve` allowed (so DNS cannot steer it to a private network between the
//! check and the connect), the whole try is bounded by `TIMEOUT`, and a redirect is an
//! answer like any other non-2xx: never followed.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use url::Url;

use super::signature;
use super::target::{self, TargetProblem};

/// How long one try may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What to send.
pub struct Post<'a> {
    pub url: &'a Url,
    pub secret: &'a [u8],
    pub event_id: &'a str,
    pub kind: &'a str,
    pub body: &'a str,
    /// Unix seconds, signed with the body.
    pub timestamp: i64,
}

/// How a try went: the endpoint's status code when it answered, and why it failed when it
/// did not answer 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub status: Option<u16>,
    pub latency: Duration,
    pub error: Option<String>,
}

impl Sent {
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// POSTs `post`; `allow_private` is `AURORA_WEBHOOK_ALLOW_PRIVATE`.
pub async fn post(post: &Post<'_>, allow_private: bool) -> Sent {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(TIMEOUT, attempt(post, allow_private)).await {
        Ok(outcome) => outcome,
        Err(_) => Err((None, format!("no answer within {} s", TIMEOUT.as_secs()))),
    };
    let latency = started.elapsed();
    match outcome {
        Ok(status) => Sent {
            status: Some(status),
            latency,
            error: None,
        },
        Err((status, error)) => Sent {
            status,
            latency,
            error: Some(error),
        },
    }
}

type Failure = (Option<u16>, String);

fn refused(problem: TargetProblem) -> Failure {
    let why = match problem {
        TargetProblem::Malformed => "the URL is not valid".to_string(),
        TargetProblem::NotHttps => "only https:// URLs are allowed".to_string(),
        TargetProblem::Unresolved => "the name resolves to no address".to_string(),
        TargetProblem::Private(ip) => {
            format!("refused: {ip} is a private or local address (AURORA_WEBHOOK_ALLOW_PRIVATE)")
        }
    };
    (None, why)
}

async fn attempt(post: &Post<'_>, allow_private: bool) -> Result<u16, Failure> {
    let addresses = target::resolve(post.url, allow_private)
        .await
        .map_err(refused)?;
    let stream = connect(&addresses).await?;
    let host = post
        .url
        .host_str()
        .ok_or_else(|| refused(TargetProblem::Malformed))?;
    let authority = match post.url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let path = match post.url.query() {
        Some(query) => format!("{}?{query}", post.url.path()),
        None => post.url.path().to_string(),
    };
    let request = hyper::Request::post(path)
        .header(HOST, authority)
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, "Aurora-Webhooks/1")
        .header(
            signature::HEADER,
            signature::sign(post.secret, post.timestamp, post.body.as_bytes()),
        )
        .header("Aurora-Event-Id", post.event_id)
        .header("Aurora-Event-Type", post.kind)
        .body(Full::new(Bytes::copy_from_slice(post.body.as_bytes())))
        .map_err(|e| (None, format!("the request could not be built: {e}")))?;
    let status = match post.url.scheme() {
        "https" => {
            let name = rustls::pki_types::ServerName::try_from(
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
            )
            .map_err(|_| refused(TargetProblem::Malformed))?;
            let tls = tokio_rustls::TlsConnector::from(tls_config())
                .connect(name, stream)
                .await
                .map_err(|e| (None, format!("TLS: {e}")))?;
            exchange(tls, request).await?
        }
        _ => exchange(stream, request).await?,
    };
    match status {
        200..=299 => Ok(status),
        300..=399 => Err((
            Some(status),
            format!("answered {status}: redirects are not followed"),
        )),
        _ => Err((Some(status), format!("answered {status}"))),
    }
}

async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, Failure> {
    let mut last = String::from("no address to connect to");
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("could not connect to {address}: {e}"),
        }
    }
    Err((None, last))
}

async fn exchange<I>(io: I, request: hyper::Request<Full<Bytes>>) -> Result<u16, Failure>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| (None, format!("HTTP: {e}")))?;
    let mut connection = std::pin::pin!(connection);
    let mut send = std::pin::pin!(sender.send_request(request));
    // The connection is driven here, beside the request, and dropped with it. A receiver
    // that answers and closes ends the connection as its answer arrives: the answer is
    // still there to take.
    let response = tokio::select! {
        biased;
        response = &mut send => response,
        ended = &mut connection => match ended {
            Ok(()) => send.await,
            Err(e) => match futures::FutureExt::now_or_never(send) {
                Some(response) => response,
                None => return Err((None, format!("HTTP: {e}"))),
            },
        },
    };
    response
        .map(|r| r.status().as_u16())
        .map_err(|e| (None, format!("HTTP: {e}")))
}

/// The public roots (webpki-roots): the same on every machine, whatever its CA store.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A receiver that answers `answer` and closes at once, `times` times.
    async fn answer_and_close(answer: &'static [u8], times: usize) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/hook", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            for _ in 0..times {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buffer = vec![0u8; 8192];
                let _ = stream.read(&mut buffer).await;
                let _ = stream.write_all(answer).await;
                drop(stream);
            }
        });
        url
    }

    fn post_to(url: &Url) -> Post<'_> {
        Post {
            url,
            secret: b"whsec_test",
            event_id: "evt_1",
            kind: "aurora.test",
            body: "{}",
            timestamp: 0,
        }
    }

    #[tokio::test]
    async fn an_answer_followed_by_a_close_is_still_an_answer() {
        let answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let url = answer_and_close(answer, 30).await;
        for _ in 0..30 {
            let sent = post(&post_to(&url), true).await;
            assert_eq!((sent.status, sent.error.as_deref()), (Some(204), None));
        }
    }

    #[tokio::test]
    async fn a_close_without_an_answer_and_a_silent_receiver_are_failures() {
        let url = answer_and_close(b"", 1).await;
        let sent = post(&post_to(&url), true).await;
        assert!(!sent.delivered() && sent.status.is_none(), "{sent:?}");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/hook", listener.local_addr().unwrap())).unwrap();
        let _silent = tokio::spawn(async move {
            let (_stream, _) = listener.accept().await.unwrap();
            std::future::pending::<()>().await
        });
        tokio::time::pause();
        let sent = post(&post_to(&url), true).await;
        assert_eq!(sent.error.as_deref(), Some("no answer within 10 s"));
    }
}
