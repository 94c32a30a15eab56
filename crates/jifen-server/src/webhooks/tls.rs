//! TLS for `https://` endpoints: rustls with ring's cryptography, the certificates the system
//! trusts (as `SSL_CERT_FILE` and `SSL_CERT_DIR` may point elsewhere), and the CA certificates
//! of `webhooks.extra_ca_file` for receivers whose certificates a brand's private CA issued.
//! Failed handshakes are put in words an operator can act on.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, RootCertStore};

/// The setting that names the file, as errors name it.
const SETTING: &str = "webhooks.extra_ca_file";

/// Why the CA certificates of `webhooks.extra_ca_file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ExtraCaError {
    #[error("{SETTING}: cannot read {}: {io}", path.display())]
    Unreadable { path: PathBuf, io: std::io::Error },
    #[error(
        "{SETTING}: {} holds no certificate (a PEM file of blocks \
         `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----`)", path.display()
    )]
    Empty { path: PathBuf },
    #[error("{SETTING}: {} is not PEM: {reason}", path.display())]
    NotPem { path: PathBuf, reason: String },
    #[error("{SETTING}: certificate {n} of {} is not a valid X.509 certificate: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        n: usize,
        reason: String,
    },
}

/// Makes ring the cryptography of every rustls connection of the process. reqwest builds its
/// TLS configuration with the process's default provider and takes no provider of its own
/// (only a whole configuration, which would leave its verifier and ALPN to be rebuilt here).
/// Installing is idempotent: a provider already installed stays.
#[expect(
    deprecated,
    reason = "ring is chosen over aws-lc-rs, whose C build is long; rustls deprecates it for \
              lacking post-quantum key exchange, which webhook receivers do not require"
)]
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have installed one meanwhile: that one is kept, and is ring too
        // (no other provider is built in).
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Reads the CA certificates of a PEM file, each checked to be usable as a trust anchor.
pub fn read_extra_ca(path: &Path) -> Result<Vec<reqwest::Certificate>, ExtraCaError> {
    let pem = std::fs::read(path).map_err(|io| ExtraCaError::Unreadable {
        path: path.to_owned(),
        io,
    })?;
    let ders: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| ExtraCaError::NotPem {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    if ders.is_empty() {
        return Err(ExtraCaError::Empty {
            path: path.to_owned(),
        });
    }
    let invalid = |n: usize, reason: String| ExtraCaError::Invalid {
        path: path.to_owned(),
        n,
        reason,
    };
    ders.iter()
        .enumerate()
        .map(|(i, der)| {
            RootCertStore::empty()
                .add(der.clone())
                .map_err(|e| match e {
                    // Its words are for a peer's certificate: say only what is wrong.
                    rustls::Error::InvalidCertificate(why) => invalid(i + 1, format!("{why:?}")),
                    e => invalid(i + 1, e.to_string()),
                })?;
            reqwest::Certificate::from_der(der).map_err(|e| invalid(i + 1, e.to_string()))
        })
        .collect()
}

/// A failed TLS handshake in words, when `error` (or one of its causes) is one: the
/// certificate's fault (not trusted, expired, another host's) or the handshake's.
pub fn describe_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(tls) = rustls_error(e) {
            return Some(in_words(tls));
        }
        next = e.source();
    }
    None
}

/// rustls' error, when `e` is one or wraps one in `io::Error`s: tokio-rustls reports it inside
/// an `io::Error`, which hyper-rustls wraps in another, and an `io::Error` hides what it wraps
/// from the chain of sources.
fn rustls_error<'a>(mut e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let io = e.downcast_ref::<std::io::Error>()?;
        e = io.get_ref()?;
    }
}

fn in_words(e: &rustls::Error) -> String {
    let rustls::Error::InvalidCertificate(cert) = e else {
        return format!("TLS handshake failed ({e})");
    };
    let why = match cert {
        CertificateError::UnknownIssuer => {
            format!("it is not issued by a trusted CA (the system's, or those of {SETTING})")
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "it has expired".to_owned()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet".to_owned()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it is not valid for the endpoint's host name".to_owned()
        }
        CertificateError::Revoked => "it was revoked".to_owned(),
        _ => "it failed verification".to_owned(),
    };
    format!("the endpoint's TLS certificate is not trusted: {why} ({e})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn a_pem_file_of_ca_certificates_is_read_and_anything_else_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, format!("{}\n{}", ca_pem(), ca_pem())).unwrap();
        assert_eq!(read_extra_ca(&path).unwrap().len(), 2);
        // Blocks of other kinds (a key kept beside its certificate) are skipped.
        let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
        std::fs::write(&path, format!("{key}\n{}", ca_pem())).unwrap();
        assert_eq!(read_extra_ca(&path).unwrap().len(), 1);

        let missing = dir.path().join("missing.pem");
        let e = read_extra_ca(&missing).unwrap_err();
        assert!(matches!(e, ExtraCaError::Unreadable { .. }), "{e}");
        for (text, want) in [
            ("", "holds no certificate"),
            ("not a certificate\n", "holds no certificate"),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "certificate 1 of",
            ),
            (
                "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
                "is not PEM",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = read_extra_ca(&path).unwrap_err().to_string();
            assert!(e.starts_with("webhooks.extra_ca_file: "), "{e}");
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn certificate_failures_say_why_they_are_not_trusted() {
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, unknown);
        let text = describe_failure(&std::io::Error::other(io)).unwrap();
        assert!(text.contains("not trusted"), "{text}");
        assert!(text.contains("webhooks.extra_ca_file"), "{text}");
        let expired = rustls::Error::InvalidCertificate(CertificateError::Expired);
        assert!(describe_failure(&expired).unwrap().contains("expired"));
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert!(
            describe_failure(&alert)
                .unwrap()
                .starts_with("TLS handshake failed")
        );
        let other = std::io::Error::other("connection refused");
        assert_eq!(describe_failure(&other), None);
    }
}
