//! Configuration: one typed struct, loaded once (defaults < `KESU_*` environment < flags) and passed.

use std::net::SocketAddr;

/// Everything the server needs to know at start.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite:///path/to/kesu.db` or `postgres://…`.
    pub database_url: String,
    /// Password for the `admin` user created on an empty database; random when absent.
    pub admin_password: Option<String>,
    /// Load demo data into an empty database.
    pub demo: bool,
    /// Lifetime of API tokens, in hours.
    pub token_ttl_hours: i64,
    /// Largest accepted JSON body, in bytes.
    pub max_json_bytes: usize,
    /// Where files live (attachments), outside any web root.
    pub data_dir: std::path::PathBuf,
    /// Largest accepted attachment, in bytes.
    pub max_upload_bytes: usize,
    /// SMS gateway: Kesu POSTs `{"id", "phone", "text"}` as JSON (R-NT-2).
    pub sms_gateway_url: Option<String>,
    /// SMTP relay for e-mail (R-NT-1, R-NT-2): `smtp://host:port` (plain, an internal relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://host:465` (TLS).
    pub smtp_url: Option<String>,
    /// A PEM file of the CA that signed the relay's certificate, when it is a private one;
    /// otherwise the Mozilla roots are trusted.
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// Sender address of e-mail.
    pub smtp_from: String,
    /// Mark session cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Public filings accepted per client address per 10 minutes (R-IN-5).
    pub public_filings_per_10min: u32,
    /// Public tracking requests per client address per minute.
    pub public_lookups_per_minute: u32,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never appear in logs: the URL's password and the admin password are hidden.
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("admin_password", &self.admin_password.as_ref().map(|_| "***"))
            .field("demo", &self.demo)
            .field("token_ttl_hours", &self.token_ttl_hours)
            .field("data_dir", &self.data_dir)
            .field("sms_gateway_url", &self.sms_gateway_url.as_deref().map(redact_url))
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_ca_file", &self.smtp_ca_file)
            .finish()
    }
}

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default database: a SQLite file under `./kesu-data/`.
pub const DEFAULT_DATABASE: &str = "sqlite://kesu-data/kesu.db";

impl Config {
    /// A configuration for the given database with every other value at its default.
    pub fn for_database(url: &str) -> Config {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("valid default"),
            database_url: url.to_string(),
            admin_password: None,
            demo: false,
            token_ttl_hours: 12,
            max_json_bytes: 1024 * 1024,
            data_dir: default_data_dir(url),
            max_upload_bytes: 20 * 1024 * 1024,
            sms_gateway_url: None,
            smtp_url: None,
            smtp_ca_file: None,
            smtp_from: "kesu@localhost".into(),
            secure_cookies: false,
            public_filings_per_10min: 10,
            public_lookups_per_minute: 60,
        }
    }
}

/// The directory of a SQLite database file, else `./kesu-data`.
pub fn default_data_dir(url: &str) -> std::path::PathBuf {
    if url.starts_with("sqlite:") {
        let path = store::sqlite_path(url);
        if let Some(dir) = std::path::Path::new(&path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            return dir.to_path_buf();
        }
        return ".".into();
    }
    "kesu-data".into()
}

/// A database URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://kesu:secret@db:5432/kesu"),
            "postgres://kesu:***@db:5432/kesu"
        );
        assert_eq!(
            super::redact_url("sqlite://kesu-data/kesu.db"),
            "sqlite://kesu-data/kesu.db"
        );
    }
}
