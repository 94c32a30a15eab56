//! Webhooks over HTTPS, on both backends, with a real TLS receiver the test starts: its
//! certificate is issued by a CA made in the test, so it is trusted only through
//! `webhooks.extra_ca_file`. A trusted receiver gets signed messages; an untrusted one fails the
//! attempt with a reason that says so, and the delivery waits for its retry; the SSRF check
//! refuses private targets over HTTPS too. A bad `extra_ca_file` stops `jifen serve` at start,
//! and a system without CA certificates still serves.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::serve::Listener;
use chrono::{Duration, Utc};
use common::process::{Server, jifen};
use common::receiver::{Receiver, expected_signature};
use common::{TestApp, TestBackend};
use jifen_server::webhooks::WebhookSettings;
use jifen_server::webhooks::deliver::{Sender, deliver_batch};
use reqwest::StatusCode;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

jifen_store::backend_tests! {
    a_receiver_the_extra_ca_issued_gets_signed_messages => super::a_receiver_the_extra_ca_issued_gets_signed_messages;
    an_untrusted_certificate_fails_the_attempt_and_the_delivery_waits => super::an_untrusted_certificate_fails_the_attempt_and_the_delivery_waits;
    private_targets_are_refused_over_https_too => super::private_targets_are_refused_over_https_too;
}

/// A CA made for the test and the receiver's certificate it issued (for `localhost` and
/// 127.0.0.1), with the CA's PEM written to a file.
struct Pki {
    _dir: tempfile::TempDir,
    ca_pem: String,
    ca_file: PathBuf,
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl Pki {
    fn new() -> Pki {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "Test Brand private CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("CA certificate");
        let leaf_key = rcgen::KeyPair::generate().expect("receiver key");
        let mut leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("receiver params");
        leaf.distinguished_name
            .push(rcgen::DnType::CommonName, "hooks.test-brand");
        let leaf = leaf
            .signed_by(&leaf_key, &ca)
            .expect("receiver certificate");
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("brand-ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("write CA");
        Pki {
            _dir: dir,
            ca_pem: ca.pem(),
            ca_file,
            chain: vec![leaf.der().clone()],
            key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
        }
    }
}

/// A TCP listener whose connections are served over TLS with the receiver's certificate.
/// Handshakes that fail (the client refused the certificate) are counted and skipped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    refused: Arc<Mutex<Vec<String>>>,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (tcp, addr) = Listener::accept(&mut self.tcp).await;
            match self.acceptor.accept(tcp).await {
                Ok(tls) => return (tls, addr),
                Err(e) => self.refused.lock().unwrap().push(e.to_string()),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// A receiver over HTTPS at `https://localhost:<port>/hooks`, and the handshakes it saw
/// refused.
async fn https_receiver(pki: &Pki) -> (Receiver, Arc<Mutex<Vec<String>>>) {
    jifen_server::webhooks::tls::install_crypto_provider();
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), PrivateKeyDer::Pkcs8(pki.key.clone_key()))
        .expect("server TLS config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    let refused = Arc::new(Mutex::new(Vec::new()));
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
        refused: refused.clone(),
    };
    let receiver = Receiver::serve(listener, format!("https://localhost:{port}/hooks"));
    (receiver, refused)
}

fn settings(extra_ca_file: Option<&Path>) -> WebhookSettings {
    WebhookSettings {
        allow_private_targets: true,
        timeout_seconds: 5,
        extra_ca_file: extra_ca_file.map(Path::to_owned),
        ..WebhookSettings::default()
    }
}

async fn spawn(backend: TestBackend) -> TestApp {
    // Near the real time: the receiver's certificate is valid from now on.
    let now = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    TestApp::spawn_for_webhooks(backend, now).await
}

impl TestApp {
    /// An endpoint of `member.enrolled` at `url`; returns its secret.
    async fn endpoint(&self, url: &str) -> String {
        let r = self
            .post(
                "/v1/webhooks/endpoints",
                json!({"url": url, "kinds": ["member.enrolled"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        r.body["secret"].as_str().unwrap().to_owned()
    }

    /// An enrolment, and the id of the message it wrote.
    async fn enrol(&self, id: &str) -> String {
        let r = self.put(&format!("/v1/members/{id}"), json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let r = self.get("/v1/webhooks/messages?limit=1").await;
        r.body["data"][0]["id"].as_str().unwrap().to_owned()
    }

    /// Runs delivery batches until nothing is due now; returns how many were claimed.
    async fn deliver(&self, settings: &WebhookSettings) -> usize {
        let sender = Sender::new(settings).expect("sender");
        let mut total = 0;
        loop {
            let n = deliver_batch(&self.state.store, &self.state.clock, &sender, settings)
                .await
                .expect("deliver");
            if n == 0 {
                return total;
            }
            total += n;
        }
    }

    /// The one delivery of a message.
    async fn delivery(&self, message_id: &str) -> Value {
        let r = self
            .get(&format!("/v1/webhooks/messages/{message_id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["deliveries"][0].clone()
    }
}

async fn a_receiver_the_extra_ca_issued_gets_signed_messages(backend: TestBackend) {
    let app = spawn(backend).await;
    let pki = Pki::new();
    let (receiver, refused) = https_receiver(&pki).await;
    assert!(receiver.url.starts_with("https://localhost:"));
    let secret = app.endpoint(&receiver.url).await;
    receiver.trust(&secret);
    let id = app.enrol("m-1").await;

    assert_eq!(app.deliver(&settings(Some(&pki.ca_file))).await, 1);
    let d = app.delivery(&id).await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], 200);
    assert_eq!(d["last_error"], Value::Null);

    // What arrived over TLS: the message, with a signature the receiver's own HMAC checks.
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, id);
    assert_eq!(got[0].verified, 1, "{:?}", got[0]);
    assert_eq!(
        got[0].signature,
        expected_signature(&secret, &got[0].id, &got[0].timestamp, &got[0].body)
    );
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "member.enrolled");
    assert_eq!(body["data"]["member"], "m-1");
    assert_eq!(receiver.counts()[&id], 1);
    assert!(refused.lock().unwrap().is_empty(), "{refused:?}");
}

async fn an_untrusted_certificate_fails_the_attempt_and_the_delivery_waits(backend: TestBackend) {
    let app = spawn(backend).await;
    let pki = Pki::new();
    let (receiver, refused) = https_receiver(&pki).await;
    let secret = app.endpoint(&receiver.url).await;
    receiver.trust(&secret);
    let id = app.enrol("m-1").await;

    // The system's CAs alone: the private CA's certificate is not trusted.
    assert_eq!(app.deliver(&settings(None)).await, 1);
    let d = app.delivery(&id).await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], Value::Null);
    let error = d["last_error"].as_str().unwrap();
    assert!(
        error.contains("TLS certificate is not trusted")
            && error.contains("not issued by a trusted CA")
            && error.contains("webhooks.extra_ca_file"),
        "{error}"
    );
    let log = d["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["error"].as_str(), Some(error));
    assert!(d["next_attempt_at"].is_string(), "retried later: {d}");
    assert!(receiver.received().is_empty(), "nothing was sent");
    // The client refused the handshake: the receiver saw it end with an alert.
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    while refused.lock().unwrap().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let seen = refused.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("UnknownCA"), "{seen:?}");

    // Not due again before its retry; nothing is lost: once the CA is trusted, the retry
    // delivers the same message.
    assert_eq!(app.deliver(&settings(None)).await, 0);
    app.advance(Duration::seconds(7));
    assert_eq!(app.deliver(&settings(Some(&pki.ca_file))).await, 1);
    let d = app.delivery(&id).await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["attempts"], 2);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id.as_str(), got[0].verified), (id.as_str(), 1));
}

async fn private_targets_are_refused_over_https_too(backend: TestBackend) {
    let app = spawn(backend).await;
    let pki = Pki::new();
    let (receiver, refused) = https_receiver(&pki).await;
    // Saved while private targets were allowed; sent by a worker that refuses them, by name
    // (the resolver's check) and by address.
    app.endpoint(&receiver.url).await;
    let literal = receiver.url.replace("localhost", "127.0.0.1");
    app.endpoint(&literal).await;
    let id = app.enrol("m-1").await;
    let strict = WebhookSettings {
        allow_private_targets: false,
        ..settings(Some(&pki.ca_file))
    };
    assert_eq!(app.deliver(&strict).await, 2);
    let r = app.get(&format!("/v1/webhooks/messages/{id}")).await;
    for d in r.body["deliveries"].as_array().unwrap() {
        assert_eq!(d["status"], "pending", "{d}");
        let e = d["last_error"].as_str().unwrap();
        assert!(e.contains("allow_private_targets"), "{e}");
    }
    assert!(receiver.received().is_empty());
    assert!(
        refused.lock().unwrap().is_empty(),
        "no connection was even made"
    );
}

/// `jifen serve` with `args` and `env`, which must stop it at start (within 20 s): its error.
fn serve_fails(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let db = format!("sqlite://{}", dir.join("jifen.db").display());
    let mut child = jifen()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jifen serve");
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jifen serve did not stop at start");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read stderr");
    assert!(!status.success(), "{status}: {err}");
    assert!(
        !dir.join("jifen.db").exists(),
        "stopped before it opened the database"
    );
    err
}

#[test]
fn a_bad_extra_ca_file_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-ca.pem");
    let err = serve_fails(
        dir.path(),
        &[],
        &[("JIFEN_WEBHOOKS__EXTRA_CA_FILE", missing.to_str().unwrap())],
    );
    assert!(err.contains("webhooks.extra_ca_file"), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert!(err.contains(missing.to_str().unwrap()), "{err}");

    // From the settings file: a file that holds no certificate, and one that is not X.509.
    let config = dir.path().join("jifen.toml");
    let bad = dir.path().join("bad-ca.pem");
    std::fs::write(
        &config,
        format!("[webhooks]\nextra_ca_file = {:?}\n", bad.to_str().unwrap()),
    )
    .unwrap();
    for (text, want) in [
        ("a key, not a certificate\n", "holds no certificate"),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "certificate 1 of",
        ),
    ] {
        std::fs::write(&bad, text).unwrap();
        let err = serve_fails(dir.path(), &["--config", config.to_str().unwrap()], &[]);
        assert!(err.contains("webhooks.extra_ca_file"), "{err}");
        assert!(err.contains(want), "{text:?}: {err}");
    }

    // A good file is taken, and shown by `config print`.
    std::fs::write(&bad, Pki::new().ca_pem).unwrap();
    let out = jifen()
        .args(["config", "print", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("extra_ca_file = "), "{printed}");
}

#[tokio::test]
async fn a_system_without_ca_certificates_still_serves() {
    // `SSL_CERT_FILE` and `SSL_CERT_DIR` name where the system's CAs are: here, nowhere.
    let dir = tempfile::tempdir().unwrap();
    let empty_file = dir.path().join("none.pem");
    std::fs::write(&empty_file, "").unwrap();
    let empty_dir = dir.path().join("certs");
    std::fs::create_dir(&empty_dir).unwrap();
    let db = format!("sqlite://{}", dir.path().join("jifen.db").display());
    let server = Server::start_env(
        &db,
        &[
            ("SSL_CERT_FILE", empty_file.to_str().unwrap()),
            ("SSL_CERT_DIR", empty_dir.to_str().unwrap()),
        ],
    );
    let (status, _) = server.get(&server.key, "/v1/program").await;
    assert_eq!(status, StatusCode::OK);
    let (stopped, stderr) = server.terminate_with_stderr();
    assert!(stopped.success(), "{stderr}");
    assert!(
        stderr.contains("trusted only through webhooks.extra_ca_file"),
        "{stderr}"
    );
}
