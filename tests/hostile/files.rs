//! Files that are not descriptions: bad bytes, nothing, a directory, no file,
//! no permission, a device or a pipe.

use super::*;

#[test]
fn invalid_utf8() {
    let dir = tempdir();
    write(
        dir.path(),
        "meshc.yaml",
        b"app: shop\nservices:\n  web: { image: \"ngi\xffnx\" }\n",
    );
    assert_refused(
        "invalid UTF-8",
        dir.path(),
        "meshc.yaml",
        findings(
            "M007",
            "the description is not UTF-8 text (invalid byte at offset 40)",
        ),
    );
}

#[test]
fn nul_byte() {
    let dir = tempdir();
    write(dir.path(), "meshc.yaml", VALID.replace("nginx", "ngi\0nx"));
    assert_refused(
        "NUL byte",
        dir.path(),
        "meshc.yaml",
        findings("M007", "the description contains a NUL byte"),
    );
}

#[test]
fn empty_file() {
    let dir = tempdir();
    write(dir.path(), "meshc.yaml", "");
    write(dir.path(), "comments.yaml", "# nothing\n\n   \n# here\n");
    write(dir.path(), "meshc.kdl", "// nothing\n");
    for file in ["meshc.yaml", "comments.yaml", "meshc.kdl"] {
        assert_refused(
            &format!("empty file ({file})"),
            dir.path(),
            file,
            findings("M007", "the description is empty"),
        );
    }
}

#[test]
fn a_directory() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("meshc.yaml")).unwrap();
    assert_refused(
        "a directory",
        dir.path(),
        "meshc.yaml",
        io_error("cannot read `meshc.yaml`: it is a directory, not a file"),
    );
}

#[test]
fn a_missing_file() {
    let dir = tempdir();
    assert_refused(
        "a missing file",
        dir.path(),
        "meshc.yaml",
        io_error("cannot read `meshc.yaml`: no such file"),
    );
}

/// We run as root in CI, and root reads a mode-000 file anyway
/// (CAP_DAC_OVERRIDE), so `chmod 000` alone proves nothing. When that is the
/// case the test runs meshc as `nobody` through `setpriv`, which has no such
/// capability; without `setpriv` it says so and checks only what it can.
#[test]
fn a_file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let path = dir.path().join("meshc.yaml");
    write(dir.path(), "meshc.yaml", VALID);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // `nobody` must be able to reach the file to be refused by it.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let want = "cannot read `meshc.yaml`: permission denied";
    if std::fs::read(&path).is_err() {
        // Not root: the plain case.
        assert_refused(
            "no read permission",
            dir.path(),
            "meshc.yaml",
            io_error(want),
        );
        return;
    }
    let setpriv = Command::new("setpriv").arg("--version").output();
    if !setpriv.is_ok_and(|o| o.status.success()) {
        println!(
            "no read permission: running as root without setpriv; root reads mode-000 files, nothing to test"
        );
        return;
    }
    let bin = env!("CARGO_BIN_EXE_meshc");
    for args in [
        vec!["check", "meshc.yaml"],
        vec!["build", "meshc.yaml", "-o", "out"],
    ] {
        let start = Instant::now();
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin)
            .args(&args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("setpriv runs");
        println!(
            "{:<34} meshc {:<6} exit {:>4}  {:>7.3} s",
            "no read permission (as nobody)",
            args[0],
            format!("{:?}", out.status.code()),
            start.elapsed().as_secs_f64()
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(want), "{stderr}");
    }
    assert!(!dir.path().join("out").exists());
}
