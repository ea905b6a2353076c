//! E-mail delivery of notifications over SMTP, when configured. The outbox lives in the database
//! (`notifications.email_status = 'pending'`); [`Mailer::deliver_pending`] sends what is waiting
//! and records each outcome, so any instance may run it and nothing is sent twice by one pass.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use shoumi_storage::{Db, notify};

/// How to reach the mail server (the `[smtp]` section of the configuration).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MailConfig {
    /// Empty: no e-mail; notifications stay in the inbox only.
    pub host: String,
    pub port: u16,
    /// `none` (a relay on the intranet), `starttls` or `tls`.
    pub security: String,
    pub username: String,
    pub password: String,
    /// The sender, e.g. `守秘 <shoumi@scjgj.example.gov.cn>`.
    pub from: String,
    /// The address of this installation, for links in messages (`https://shoumi.example`).
    pub base_url: String,
    pub timeout_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            host: String::new(),
            port: 25,
            security: "none".into(),
            username: String::new(),
            password: String::new(),
            from: "shoumi <shoumi@localhost>".into(),
            base_url: String::new(),
            timeout_secs: 20,
        }
    }
}

impl MailConfig {
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl Mailer {
    /// A mailer for the configuration; an error names the setting that is wrong.
    pub fn new(cfg: &MailConfig) -> Result<Mailer, String> {
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| format!("smtp.from \"{}\": {e}", cfg.from))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| format!("smtp TLS for {host}: {e}"))
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.trim())
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(cfg.timeout_secs.max(1))));
        b = match cfg.security.trim() {
            "" | "none" => b.tls(Tls::None),
            "starttls" => b.tls(Tls::Required(tls(cfg.host.trim())?)),
            "tls" => b.tls(Tls::Wrapper(tls(cfg.host.trim())?)),
            other => {
                return Err(format!(
                    "smtp.security must be none, starttls or tls, not \"{other}\""
                ));
            }
        };
        if !cfg.username.is_empty() {
            if matches!(cfg.security.trim(), "" | "none") {
                tracing::warn!(
                    host = %cfg.host,
                    "smtp: credentials are sent without TLS; set smtp.security = starttls or tls unless the relay is on a trusted network"
                );
            }
            b = b.credentials(Credentials::new(cfg.username.clone(), cfg.password.clone()));
        }
        Ok(Mailer {
            transport: b.build(),
            from,
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
        })
    }

    /// Sends up to `limit` waiting e-mails. Returns (sent, failed).
    pub async fn deliver_pending(
        &self,
        db: &Db,
        limit: i64,
    ) -> Result<(usize, usize), shoumi_storage::StorageError> {
        let (mut sent, mut failed) = (0, 0);
        for m in notify::pending_mail(db, limit).await? {
            if !notify::claim_mail(db, m.id).await? {
                continue; // another instance has it
            }
            let outcome = self.send_one(&m).await;
            match &outcome {
                Ok(()) => sent += 1,
                Err(e) => {
                    tracing::warn!(notification = m.id, error = %e, "e-mail not sent");
                    failed += 1;
                }
            }
            notify::mail_done(db, m.id, outcome.err().as_deref()).await?;
        }
        Ok((sent, failed))
    }

    async fn send_one(&self, m: &notify::Outgoing) -> Result<(), String> {
        let to: Mailbox = format!("{} <{}>", m.to_name.replace(['<', '>', '"'], ""), m.to)
            .parse()
            .map_err(|e| format!("address {}: {e}", m.to))?;
        let mut body = m.title.clone();
        if !m.body.is_empty() {
            body.push_str("\n\n");
            body.push_str(&m.body);
        }
        if !m.link.is_empty() && !self.base_url.is_empty() {
            body.push_str("\n\n");
            body.push_str(&self.base_url);
            body.push_str(&m.link);
        } else if !m.link.is_empty() {
            body.push_str("\n\n请登录守秘平台查看。");
        }
        body.push_str("\n\n-- \n守秘 商业秘密保护平台（系统自动发送，请勿直接回复）\n");
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("【守秘】{}", m.title))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
