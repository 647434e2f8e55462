//! A person at a terminal: `amanat` run inside a real pseudo-terminal, typing when a
//! prompt shows, with everything the terminal would show recorded (what the program
//! writes and what the terminal echoes of the typing).
//!
//! The pseudo-terminal is util-linux `script -qec CMD /dev/null` (Debian's essential
//! `bsdutils`; no crate, and no `unsafe` for `setsid` and the controlling terminal):
//! `script` makes the pty the command's controlling terminal (`/dev/tty`), copies what
//! is written to its input onto the pty, and the pty's output to its own. Typing waits
//! for the prompt first, as a person does, so the test sees exactly what a person's
//! screen would.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a prompt or the end may take before the story fails (a hang guard only).
const PATIENCE: Duration = Duration::from_secs(60);

/// A command running in a pseudo-terminal.
pub struct Terminal {
    child: Child,
    input: Option<ChildStdin>,
    screen: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

/// Quotes one word for `sh`.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

impl Terminal {
    /// Starts `program args…` in a new pseudo-terminal, with `env` added to and
    /// `AMANAT_LOG` removed from its environment.
    pub fn start(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut line = quote(&program.to_string_lossy());
        for a in args {
            line.push(' ');
            line.push_str(&quote(a));
        }
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .env("SHELL", "/bin/sh")
            .env("TERM", "dumb")
            .env_remove("AMANAT_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("util-linux `script` runs");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for mut from in
            [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
        {
            let screen = screen.clone();
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    screen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }));
        }
        Terminal { input: child.stdin.take(), child, screen, readers }
    }

    /// Everything the terminal showed so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until `text` has shown `times` times in all.
    pub fn wait_for(&self, text: &str, times: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.screen().matches(text).count() < times {
            assert!(Instant::now() < deadline, "{text:?} did not show {times} time(s); the screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the `times`-th `prompt`, then types `line` and Enter.
    pub fn answer(&mut self, prompt: &str, times: usize, line: &str) {
        self.wait_for(prompt, times);
        let input = self.input.as_mut().expect("the terminal is open");
        input.write_all(format!("{line}\n").as_bytes()).and_then(|()| input.flush()).expect("typing into the terminal");
    }

    /// Waits for the command to end; returns its status and the whole screen.
    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the command did not end; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(self.input.take());
        // `script` has ended: its output is closed, and the readers have all of it.
        for reader in self.readers.drain(..) {
            reader.join().expect("a terminal reader");
        }
        (status, self.screen())
    }
}
