//! A TCP proxy between the servers and PostgreSQL that a test can cut: while cut, every
//! open connection is dropped and new ones are closed at once, as when the database's
//! host is unreachable; restored, it forwards again.

use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub address: String,
    up: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `target` (host:port).
    pub async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let (up, watching) = watch::channel(true);
        let target = Arc::new(target);
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                if !*watching.borrow() {
                    drop(client);
                    continue;
                }
                let (target, mut cut) = (target.clone(), watching.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target.as_str()).await else {
                        return;
                    };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy { address, up, task }
    }

    pub fn cut(&self) {
        let _ = self.up.send(false);
    }

    pub fn restore(&self) {
        let _ = self.up.send(true);
    }

    /// The database URL `url` rewritten to go through this proxy.
    pub fn url_through(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (credentials, after_at) = rest.split_once('@').unwrap_or(("", rest));
        let path = after_at.split_once('/').map(|(_, p)| p).unwrap_or("");
        let credentials = if credentials.is_empty() {
            String::new()
        } else {
            format!("{credentials}@")
        };
        format!("{scheme}://{credentials}{}/{path}", self.address)
    }
}
