//! The connection under the HTTP server: hyper's own answers made JSON.
//!
//! hyper answers a request it cannot parse by itself, before any of jifen's code runs: `400` for
//! a request line or header that is not HTTP, `414` for a target longer than 65,534 bytes,
//! `431` for a head larger than its read buffer. Those answers have an empty body. Every answer
//! of jifen is the JSON error shape, so the connection is wrapped: when hyper writes one of those
//! bare heads, the bytes that go out are the same status with a JSON body (and `connection:
//! close`, as hyper then closes the connection). Nothing else that is written is touched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{ApiError, DocsBase};

/// A TCP listener whose connections answer hyper's parse errors in JSON, their `doc` links
/// under the server's documentation base.
pub struct JsonErrorsListener {
    listener: TcpListener,
    docs: DocsBase,
}

impl JsonErrorsListener {
    pub fn new(listener: TcpListener, docs: DocsBase) -> Self {
        Self { listener, docs }
    }
}

impl Listener for JsonErrorsListener {
    type Io = JsonErrorsIo<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = Listener::accept(&mut self.listener).await;
        (JsonErrorsIo::new(io, self.docs.clone()), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Listener::local_addr(&self.listener)
    }
}

/// The peer of a connection, as handlers see it (`ConnectInfo<Peer>`): the console's sign-in
/// lockout counts failures per address.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, JsonErrorsListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, JsonErrorsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// A connection whose writes of hyper's bare error heads are replaced by JSON answers.
pub struct JsonErrorsIo<T> {
    inner: T,
    docs: DocsBase,
    /// A replacement being written: its bytes, how many went out, and how many bytes of the
    /// original write to report once it is all out.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<T> JsonErrorsIo<T> {
    pub fn new(inner: T, docs: DocsBase) -> Self {
        Self {
            inner,
            docs,
            pending: None,
        }
    }
}

/// The error hyper's bare head stands for, if `head` is one: a complete head of one of hyper's
/// automatic statuses, without a body or a content type (jifen's own answers have both).
fn bare_error(head: &[u8]) -> Option<ApiError> {
    let error = if head.starts_with(b"HTTP/1.1 400 ") {
        ApiError::MalformedRequest
    } else if head.starts_with(b"HTTP/1.1 414 ") {
        ApiError::UriTooLong {
            max: crate::limits::MAX_URI_BYTES,
        }
    } else if head.starts_with(b"HTTP/1.1 431 ") {
        ApiError::HeadersTooLarge
    } else {
        return None;
    };
    let text = std::str::from_utf8(head).ok()?.to_ascii_lowercase();
    (text.ends_with("\r\n\r\n")
        && text.contains("\r\ncontent-length: 0\r\n")
        && !text.contains("\r\ncontent-type:"))
    .then_some(error)
}

/// The whole answer that replaces a bare head.
fn replacement(error: &ApiError, docs: &DocsBase) -> Vec<u8> {
    let status = error.status();
    let body = serde_json::to_vec(&error.body(docs)).unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

impl<T: AsyncWrite + Unpin> JsonErrorsIo<T> {
    /// Writes what is pending; `Ready(Ok(n))` is the original write's length once all is out.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, done, report)) = &mut self.pending {
            if *done == bytes.len() {
                let n = *report;
                self.pending = None;
                return Poll::Ready(Ok(n));
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(0))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrorsIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrorsIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match bare_error(buf) {
                Some(e) => this.pending = Some((replacement(&e, &this.docs), 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        this.drive(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            let first = bufs.iter().find(|b| !b.is_empty());
            match first.and_then(|b| bare_error(b).map(|e| (e, b.len()))) {
                Some((e, len)) => this.pending = Some((replacement(&e, &this.docs), 0, len)),
                None => return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
            }
        }
        this.drive(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.is_some() {
            ready!(self.drive(cx))?;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.is_some() {
            ready!(self.drive(cx))?;
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_heads_are_replaced() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert!(matches!(
            bare_error(bare),
            Some(ApiError::UriTooLong { .. })
        ));
        assert!(matches!(
            bare_error(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"
            ),
            Some(ApiError::HeadersTooLarge)
        ));
        // jifen's own 400 has a JSON body.
        assert!(
            bare_error(
                b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 90\r\n\r\n"
            )
            .is_none()
        );
        assert!(bare_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        let out = String::from_utf8(replacement(
            &ApiError::MalformedRequest,
            &DocsBase::default(),
        ))
        .unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["code"], "malformed_request");
    }
}
