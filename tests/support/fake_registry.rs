//! A registry that misbehaves on purpose: a `std::net::TcpListener` on
//! 127.0.0.1 answering every request with what the test's handler says.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub enum Reply {
    /// Status, headers, body (Content-Length is added).
    Send(u16, Vec<(String, String)>, Vec<u8>),
    /// Waits, then sends.
    Late(Duration, Box<Reply>),
    /// Announces `len` bytes and streams them.
    Huge(u64),
}

pub fn reply(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    Reply::Send(
        status,
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body.to_vec(),
    )
}

pub struct Fake {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// Serves until the test process ends.
pub fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (handler, seen) = (handler.clone(), seen.clone());
            std::thread::spawn(move || {
                let _ = answer(stream, &*handler, &seen);
            });
        }
    });
    Fake { addr, requests }
}

fn answer(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let request = Request {
        method,
        target,
        headers,
    };
    seen.lock().unwrap().push(request.clone());
    let head_only = request.method == "HEAD";
    send(stream, handler(&request), head_only)
}

fn send(mut stream: TcpStream, reply: Reply, head_only: bool) -> std::io::Result<()> {
    match reply {
        Reply::Late(wait, then) => {
            std::thread::sleep(wait);
            send(stream, *then, head_only)
        }
        Reply::Send(status, headers, body) => {
            let mut out = format!(
                "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                body.len()
            );
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            stream.write_all(out.as_bytes())?;
            if !head_only {
                stream.write_all(&body)?;
            }
            stream.flush()
        }
        Reply::Huge(len) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {len}\r\n\r\n"
            );
            stream.write_all(head.as_bytes())?;
            if head_only {
                return Ok(());
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                stream.write_all(&chunk[..n])?;
                left -= n as u64;
            }
            Ok(())
        }
    }
}
