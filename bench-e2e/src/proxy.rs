//! A counting HTTP/1.1 proxy on loopback, in front of moto.
//!
//! Every implementation is given the proxy's URL as its Cognito endpoint, so each request it
//! makes is counted the same way, whatever its language. Requests are counted per operation
//! (the suffix of `X-Amz-Target`; `METHOD /path` for anything else) and per phase: a child
//! posts `begin` and `end` to [`MARK_PATH`] around its measured phase, and the requests before,
//! between and after the marks are kept apart. Marks are answered by the proxy itself and are
//! not counted as requests.
//!
//! The proxy reads each request whole (`Content-Length` or chunked), forwards it with reqwest,
//! and answers with the upstream's status, headers and body (`Content-Length` framing,
//! keep-alive unless the client asked to close).

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{
    AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, AsyncWriteExt as _, BufReader,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The path a child posts `begin` or `end` to.
pub const MARK_PATH: &str = "/__bench/mark";

/// Headers that belong to one connection, not to the message.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "host",
    "expect",
];

/// Where a child is: before `begin`, between `begin` and `end`, after `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    #[default]
    Setup,
    Measured,
    After,
}

/// Requests per operation, per phase, since the last [`CountingProxy::take`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Before the `begin` mark.
    pub setup: BTreeMap<String, u32>,
    /// Between `begin` and `end`.
    pub measured: BTreeMap<String, u32>,
    /// After `end`.
    pub after: BTreeMap<String, u32>,
    /// The marks received, in order.
    pub marks: Vec<String>,
}

impl Counts {
    /// Requests in the measured phase.
    pub fn measured_total(&self) -> u32 {
        self.measured.values().sum()
    }

    /// Whether the child marked exactly one measured phase.
    pub fn well_marked(&self) -> bool {
        self.marks == ["begin", "end"]
    }
}

#[derive(Debug, Default)]
struct State {
    phase: Phase,
    counts: Counts,
}

/// The proxy; it stops when dropped.
#[derive(Debug)]
pub struct CountingProxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl CountingProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`http://host:port`).
    ///
    /// # Errors
    ///
    /// When no port can be bound.
    pub async fn start(upstream: &str) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let upstream: Arc<str> = upstream.trim_end_matches('/').into();
        let client = reqwest::Client::new();
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let upstream = Arc::clone(&upstream);
                let client = client.clone();
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = serve(stream, &upstream, &client, &state).await;
                });
            }
        });
        Ok(Self { addr, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The counts since the last call; starts over in the setup phase.
    pub fn take(&self) -> Counts {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.phase = Phase::Setup;
        std::mem::take(&mut state.counts)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request as read from the client.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Cognito operation (`InitiateAuth`), or `METHOD /path` for anything else.
    fn operation(&self) -> String {
        match self.header("x-amz-target") {
            Some(target) => target.rsplit('.').next().unwrap_or(target).to_owned(),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line).await? == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Reads one request; `None` when the client closed the connection between requests.
async fn read_request<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> io::Result<Option<Request>> {
    let Some(request_line) = read_line(reader).await? else {
        return Ok(None);
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("malformed request line"));
    };
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)
            .await?
            .ok_or_else(|| invalid("eof in headers"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| invalid("bad header"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        close: version == "HTTP/1.0",
        headers,
        body: Vec::new(),
    };
    if let Some(connection) = request.header("connection") {
        if connection.eq_ignore_ascii_case("close") {
            request.close = true;
        } else if connection.eq_ignore_ascii_case("keep-alive") {
            request.close = false;
        }
    }
    if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let size_line = read_line(reader)
                .await?
                .ok_or_else(|| invalid("eof in chunk size"))?;
            let size_hex = size_line.split(';').next().unwrap_or_default().trim();
            let size =
                usize::from_str_radix(size_hex, 16).map_err(|_| invalid("bad chunk size"))?;
            if size == 0 {
                // Trailers, then the empty line.
                while read_line(reader).await?.is_some_and(|l| !l.is_empty()) {}
                break;
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..]).await?;
            read_line(reader).await?;
        }
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("bad content-length"))?;
        request.body.resize(length, 0);
        reader.read_exact(&mut request.body).await?;
    }
    Ok(Some(request))
}

/// A response to write back.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn forward(client: &reqwest::Client, upstream: &str, request: Request) -> Response {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or_default();
    let mut builder = client.request(method, format!("{upstream}{}", request.path));
    for (name, value) in &request.headers {
        if !HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let result = async {
        let response = builder.body(request.body).send().await?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await?.to_vec();
        Ok::<_, reqwest::Error>(Response {
            status,
            headers,
            body,
        })
    }
    .await;
    result.unwrap_or_else(|e| Response {
        status: 502,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: format!("bench proxy: upstream failed: {e}").into_bytes(),
    })
}

async fn serve(
    stream: TcpStream,
    upstream: &str,
    client: &reqwest::Client,
    state: &Mutex<State>,
) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await? {
        let close = request.close;
        let response = if request.path == MARK_PATH {
            let mark = String::from_utf8_lossy(&request.body).trim().to_owned();
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            state.phase = match mark.as_str() {
                "begin" => Phase::Measured,
                _ => Phase::After,
            };
            state.counts.marks.push(mark);
            Response {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            }
        } else {
            {
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                let phase = state.phase;
                let counts = &mut state.counts;
                let map = match phase {
                    Phase::Setup => &mut counts.setup,
                    Phase::Measured => &mut counts.measured,
                    Phase::After => &mut counts.after,
                };
                *map.entry(request.operation()).or_default() += 1;
            }
            forward(client, upstream, request).await
        };
        let reason = reqwest::StatusCode::from_u16(response.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Unknown");
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n", response.body.len()));
        if close {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        write.write_all(head.as_bytes()).await?;
        write.write_all(&response.body).await?;
        write.flush().await?;
        if close {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that answers every request with its operation and body length.
    async fn upstream() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    while let Ok(Some(request)) = read_request(&mut reader).await {
                        let body = format!("{}:{}", request.operation(), request.body.len());
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nx-upstream: yes\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        write.write_all(head.as_bytes()).await.unwrap();
                        write.write_all(body.as_bytes()).await.unwrap();
                    }
                });
            }
        });
        url
    }

    async fn call(client: &reqwest::Client, proxy: &str, operation: &str) -> String {
        let response = client
            .post(format!("{proxy}/"))
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .body("{\"a\":1}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-upstream"], "yes");
        response.text().await.unwrap()
    }

    async fn mark(client: &reqwest::Client, proxy: &str, which: &str) {
        let response = client
            .post(format!("{proxy}{MARK_PATH}"))
            .body(which.to_owned())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    #[tokio::test]
    async fn requests_are_forwarded_and_counted_per_phase() {
        let proxy = CountingProxy::start(&upstream().await).await.unwrap();
        let url = proxy.url();
        let client = reqwest::Client::new();
        assert_eq!(call(&client, &url, "InitiateAuth").await, "InitiateAuth:7");
        mark(&client, &url, "begin").await;
        call(&client, &url, "InitiateAuth").await;
        call(&client, &url, "RespondToAuthChallenge").await;
        call(&client, &url, "InitiateAuth").await;
        mark(&client, &url, "end").await;
        client
            .get(format!("{url}/pool/.well-known/jwks.json"))
            .send()
            .await
            .unwrap();

        let counts = proxy.take();
        assert!(counts.well_marked());
        assert_eq!(counts.setup, BTreeMap::from([("InitiateAuth".into(), 1)]));
        assert_eq!(
            counts.measured,
            BTreeMap::from([
                ("InitiateAuth".into(), 2),
                ("RespondToAuthChallenge".into(), 1)
            ])
        );
        assert_eq!(counts.measured_total(), 3);
        assert_eq!(
            counts.after,
            BTreeMap::from([("GET /pool/.well-known/jwks.json".into(), 1)])
        );
        // `take` starts over.
        call(&client, &url, "GetId").await;
        let counts = proxy.take();
        assert_eq!(counts.setup, BTreeMap::from([("GetId".into(), 1)]));
        assert!(!counts.well_marked());
    }

    #[tokio::test]
    async fn a_chunked_request_is_read_whole() {
        let proxy = CountingProxy::start(&upstream().await).await.unwrap();
        let stream = TcpStream::connect(proxy.addr).await.unwrap();
        let (read, mut write) = stream.into_split();
        write
            .write_all(
                b"POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: S.GetId\r\n\
                  transfer-encoding: chunked\r\nconnection: close\r\n\r\n\
                  4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n",
            )
            .await
            .unwrap();
        let mut response = String::new();
        BufReader::new(read)
            .read_to_string(&mut response)
            .await
            .unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("\r\n\r\nGetId:7"), "{response}");
        assert_eq!(proxy.take().setup, BTreeMap::from([("GetId".into(), 1)]));
    }
}
