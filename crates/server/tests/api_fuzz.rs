//! Property-based API fuzzing (R-SEC-4): schemathesis drives every operation of the OpenAPI
//! document against the real binary; no response may be a 5xx and no refused request may change
//! the database (`scripts/api-fuzz`, its hooks in `scripts/api_fuzz/hooks.py`). This is the
//! short pass; `bash scripts/api-fuzz 1000` is the long one (docs/reliability.md).

#[test]
fn schemathesis_finds_no_server_error_and_no_change_from_a_refusal() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = std::process::Command::new("bash")
        .current_dir(root)
        .args(["scripts/api-fuzz", "25", "7"])
        .env("KESU_BIN", env!("CARGO_BIN_EXE_kesu"))
        .output()
        .expect("run scripts/api-fuzz");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the API fuzzer failed");
    let cases: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("api-fuzz: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the script prints how many cases it ran");
    assert!(cases > 1000, "every operation was exercised: {cases} cases");
}
