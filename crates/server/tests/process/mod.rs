//! Starting the real `kesu` binary for tests: a server on a free port, ready when /readyz says so.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_kesu");

/// A running `kesu serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `kesu serve` in `dir` and waits for /readyz.
pub fn start(dir: &std::path::Path, database: &str, port: u16, demo: bool) -> Server {
    start_with(dir, database, port, demo, &[])
}

/// Like [`start`], with more environment variables.
pub fn start_with(dir: &std::path::Path, database: &str, port: u16, demo: bool, env: &[(&str, String)]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--database",
        database,
    ]);
    if demo {
        cmd.arg("--demo");
    }
    cmd.env("KESU_ADMIN_PASSWORD", "admin-pass-1")
        .env("KESU_LOG", "warn")
        .stdout(std::fs::File::create(dir.join(format!("kesu-{port}.log"))).expect("log file"))
        .stderr(Stdio::null());
    // After the defaults, so a test can override them.
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start kesu");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if probe::blocking_ready(&base) {
            break;
        }
        assert!(Instant::now() < deadline, "kesu did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, base }
}

mod probe {
    /// Whether /readyz answers 200 (a tiny blocking probe over a raw socket).
    pub fn blocking_ready(base: &str) -> bool {
        use std::io::{Read, Write};
        let addr = base.trim_start_matches("http://");
        let Ok(mut s) = std::net::TcpStream::connect(addr) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
        if s.write_all(format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .is_err()
        {
            return false;
        }
        let mut buf = String::new();
        let _ = s.read_to_string(&mut buf);
        buf.starts_with("HTTP/1.1 200")
    }
}

/// A bearer token for a demo user.
pub async fn token(base: &str, user: &str) -> String {
    let r: Value = ::reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": "Kesu@2026"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}
