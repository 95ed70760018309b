//! Services of a test's own, for the tests that stop and start them: a private
//! PostgreSQL cluster and a private Tansu broker on free loopback ports, so the
//! shared Postgres and test broker of the rest of the suite are not disturbed.
//! Each is stopped and its directory removed when it is dropped, also when an
//! assertion fails; [`Process`] and [`Leftovers`] do the same for child processes
//! and for databases and topics on the shared services.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use globalcart_common::{kafka, KafkaSettings};
use tokio_postgres::NoTls;

use super::{admin_url, random_suffix, topic_names, TABLES};

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn port_open(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// A fresh directory under the system temp dir.
fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gc-{what}-{}", random_suffix()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// The last lines of a log file, for failure messages.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs `cmd` to completion; panics with its output if it fails.
fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what} ({e})"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The directory of initdb/pg_ctl: TEST_PG_BIN, else `pg_config --bindir`.
fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("TEST_PG_BIN") {
        return dir.into();
    }
    Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().into())
        .unwrap_or_else(|| "/usr/lib/postgresql/15/bin".into())
}

/// A PostgreSQL cluster of the test's own (trust auth, user `postgres`).
pub struct PrivatePostgres {
    dir: PathBuf,
    bin: PathBuf,
    /// PostgreSQL refuses to run as root: then every tool runs as `postgres`.
    as_postgres: bool,
    pub port: u16,
}

impl PrivatePostgres {
    /// initdb into a temp dir, then starts the server on a free loopback port.
    pub fn start() -> PrivatePostgres {
        let as_postgres = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        let pg = PrivatePostgres {
            dir: scratch("pg"),
            bin: pg_bin(),
            as_postgres,
            port: free_port(),
        };
        if as_postgres {
            run(
                Command::new("chown").arg("postgres:postgres").arg(&pg.dir),
                "chown postgres: (the tests run as root; PostgreSQL runs as the postgres user)",
            );
        }
        run(
            pg.tool("initdb").arg("-D").arg(pg.dir.join("data")).args([
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ]),
            "initdb (PostgreSQL server binaries; set TEST_PG_BIN to their directory)",
        );
        pg.start_server();
        pg
    }

    fn tool(&self, name: &str) -> Command {
        let exe = self.bin.join(name);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(exe);
            cmd
        } else {
            Command::new(exe)
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("-D")
            .arg(self.dir.join("data"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    }

    /// The URL of `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log");
        let status = self
            .pg_ctl(&["-w", "-t", "60", "-o", &options, "-l"])
            .arg(&log)
            .arg("start")
            .status()
            .expect("run pg_ctl start");
        assert!(
            status.success(),
            "pg_ctl start failed ({status}):\n{}",
            tail(&log)
        );
    }

    /// Stops the server (`pg_ctl stop -m fast`: clients are disconnected).
    pub fn stop_server(&self) {
        run(
            &mut self.pg_ctl(&["-w", "-t", "60", "-m", "fast", "stop"]),
            "pg_ctl stop",
        );
    }

    /// Crashes the server (`pg_ctl stop -m immediate`: every process quits at
    /// once, WAL still in shared memory is lost, the next start runs crash
    /// recovery): what an asynchronous commit risks.
    pub fn crash_server(&self) {
        run(
            &mut self.pg_ctl(&["-w", "-t", "60", "-m", "immediate", "stop"]),
            "pg_ctl stop -m immediate",
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-w", "-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Tansu broker of the test's own with sqlite storage, which survives restarts.
pub struct PrivateBroker {
    dir: PathBuf,
    process: Option<std::process::Child>,
    pub port: u16,
}

impl PrivateBroker {
    /// Starts `tansu broker` on a free loopback port.
    pub fn start() -> PrivateBroker {
        let mut broker = PrivateBroker {
            dir: scratch("tansu"),
            process: None,
            port: free_port(),
        };
        broker.start_again();
        broker
    }

    /// The bootstrap address.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the broker (again) on the same port and storage, as
    /// `deploy/scripts/services.sh` does, and waits until it accepts connections.
    pub fn start_again(&mut self) {
        assert!(self.process.is_none(), "the broker already runs");
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let log_path = self.dir.join("broker.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("open the broker log");
        let mut process = Command::new(tansu_bin())
            .arg("broker")
            .current_dir("/") // the sqlite engine resolves its path from the working directory
            .env("LISTENER_URL", &url)
            .env("ADVERTISED_LISTENER_URL", &url)
            .env(
                "STORAGE_ENGINE",
                format!("sqlite://{}", self.dir.join("tansu.db").display()),
            )
            .env("CLUSTER_ID", "globalcart-restarts")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("broker log"))
            .stderr(log)
            .spawn()
            .expect("cannot start tansu: install it with `deploy/scripts/services.sh tansu`");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !port_open(self.port) {
            let exited = process.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let _ = process.kill();
                let _ = process.wait();
                panic!(
                    "tansu did not listen on {url} ({exited:?}):\n{}",
                    tail(&log_path)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.process = Some(process);
    }

    /// SIGTERM, then waits for the broker to exit (SIGKILL after 30 s).
    pub fn stop(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &process.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while process.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = process.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = process.wait();
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `tansu` on PATH, else where `cargo install` puts it.
fn tansu_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("tansu"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| {
        let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
        Path::new(&home).join(".cargo/bin/tansu")
    })
}

/// A child process, killed when dropped; its stderr goes to a log file that is
/// printed if the test fails.
pub struct Process {
    name: String,
    process: std::process::Child,
    log: PathBuf,
}

impl Process {
    pub fn spawn(name: &str, cmd: &mut Command) -> Process {
        let log = std::env::temp_dir().join(format!("gc-{name}-{}.log", random_suffix()));
        let file = File::create(&log).expect("create a child log");
        let process = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("child log"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({e})"));
        Process {
            name: name.to_string(),
            process,
            log,
        }
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.process.try_wait(), Ok(None))
    }

    /// The last lines it logged.
    pub fn tail(&self) -> String {
        tail(&self.log)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        if std::thread::panicking() {
            eprintln!("--- last lines of {}:\n{}", self.name, self.tail());
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Databases and topics on the shared services, dropped and deleted when this
/// goes out of scope (on success and on a failed assertion alike).
#[derive(Default)]
pub struct Leftovers {
    pub databases: Vec<String>,
    pub topics: Vec<KafkaSettings>,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let databases = std::mem::take(&mut self.databases);
        let topics = std::mem::take(&mut self.topics);
        // a thread of its own: the test's runtime may be the one dropping this
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async {
                for k in &topics {
                    let _ = kafka::delete_topics(k, &topic_names(k)).await;
                }
                if let Ok((client, conn)) = tokio_postgres::connect(&admin_url(), NoTls).await {
                    tokio::spawn(conn);
                    for d in &databases {
                        let sql = format!("drop database if exists \"{d}\" with (force)");
                        let _ = client.batch_execute(&sql).await;
                    }
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// Row count and an order-independent checksum of every star-schema table of
/// the database at `url` (all columns but `loaded_at`); `TestEnv::checksums`
/// is this for its own database.
pub async fn checksums(url: &str) -> BTreeMap<String, (i64, String)> {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connect for checksums");
    tokio::spawn(conn);
    let mut out = BTreeMap::new();
    for t in TABLES {
        let cols: String = client
            .query_one(
                "select string_agg(column_name, ', ' order by ordinal_position)
                 from information_schema.columns
                 where table_schema = 'globalcart' and table_name = $1 and column_name <> 'loaded_at'",
                &[&t],
            )
            .await
            .expect("columns")
            .get(0);
        let row = client
            .query_one(
                &format!(
                    "select count(*)::bigint, coalesce(md5(string_agg(h, '' order by h)), '')
                     from (select md5(row({cols})::text) as h from globalcart.{t}) s"
                ),
                &[],
            )
            .await
            .expect("checksum");
        out.insert(t.to_string(), (row.get(0), row.get(1)));
    }
    out
}
