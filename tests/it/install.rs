//! `install.sh` against a local HTTP server serving a release-shaped
//! archive: it installs what the sum vouches for, and nothing else.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

/// `python3 -m http.server` on a free loopback port; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn serve(dir: &std::path::Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "http.server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn install_sh_installs_a_release_only_when_its_sum_matches() {
    let target = "x86_64-unknown-linux-musl";
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let stage = root.path().join(format!("cronport-{target}"));
    std::fs::create_dir_all(&site).unwrap();
    std::fs::create_dir_all(&stage).unwrap();
    // A release-shaped archive whose "binary" says its version.
    let binary = stage.join("cronport");
    std::fs::write(&binary, "#!/bin/sh\necho cronport 9.9.9\n").unwrap();
    run(Command::new("chmod").args(["755", binary.to_str().unwrap()]));
    let archive = format!("cronport-{target}.tar.gz");
    run(Command::new("tar")
        .args([
            "czf",
            site.join(&archive).to_str().unwrap(),
            &format!("cronport-{target}"),
        ])
        .current_dir(root.path()));
    let sum =
        String::from_utf8(run(Command::new("sha256sum").arg(&archive).current_dir(&site)).stdout)
            .unwrap();
    std::fs::write(site.join(format!("{archive}.sha256")), &sum).unwrap();
    let server = Server::serve(&site);

    let install = |to: &std::path::Path| {
        Command::new("sh")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/install.sh"))
            .args(["--to", to.to_str().unwrap()])
            .env(
                "CRONPORT_DOWNLOAD_URL",
                format!("http://127.0.0.1:{}", server.port),
            )
            .env("CRONPORT_TARGET", target)
            .output()
            .unwrap()
    };
    let bin = root.path().join("bin");
    let out = install(&bin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("installed cronport 9.9.9"));
    let version = run(&mut Command::new(bin.join("cronport")));
    assert_eq!(String::from_utf8_lossy(&version.stdout), "cronport 9.9.9\n");

    // A sum that does not match: refused, nothing installed.
    std::fs::write(
        site.join(format!("{archive}.sha256")),
        format!("{}  {archive}\n", "0".repeat(64)),
    )
    .unwrap();
    let elsewhere = root.path().join("other-bin");
    let out = install(&elsewhere);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("but the release says 0000"), "{stderr}");
    assert!(!elsewhere.join("cronport").exists());

    // No sum at all: refused too.
    std::fs::remove_file(site.join(format!("{archive}.sha256"))).unwrap();
    let out = install(&elsewhere);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("without the sum the archive is not installed")
    );
    assert!(!elsewhere.join("cronport").exists());
}
