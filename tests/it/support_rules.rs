//! The scene helpers' own rules, checked here because the stories only show them
//! indirectly (a story that read the wrong language would fail far from the cause).

use amanat_tests::support::driver::is_app_page;

#[test]
fn only_the_apps_own_pages_get_a_language_picked() {
    for url in [
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/#enrol=abc",
        "http://h/adviser",
        "http://h/adviser/?x",
        "http://h",
    ] {
        assert!(is_app_page(url), "{url}");
    }
    for url in ["http://h/favicon.svg", "http://h/bench.html", "http://h/sync.html", "http://h/advisers"] {
        assert!(!is_app_page(url), "{url}");
    }
}

#[test]
fn the_profile_search_reads_every_token_whole_wherever_it_lies_in_a_file() {
    use amanat_tests::support::profile::{files_holding, tokens_in};
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("Default/Sessions")).unwrap();
    let token = "enr_AbC-123_xyzXYZ0987654321-_abcdef";
    // In a binary file, after a URL, followed by a non-token byte; twice in one file.
    let mut bytes = vec![0u8, 0xFF, 7];
    bytes.extend_from_slice(format!("http://127.0.0.1/#enrol={token}").as_bytes());
    bytes.extend_from_slice(&[0, 1, 2]);
    bytes.extend_from_slice(token.as_bytes());
    std::fs::write(dir.path().join("Default/Sessions/Session_1"), &bytes).unwrap();
    std::fs::write(dir.path().join("History"), format!("{token}\"")).unwrap();
    // Too short after the prefix: not a token.
    std::fs::write(dir.path().join("other"), "enr_short").unwrap();
    let found = tokens_in(dir.path(), "enr_", 16);
    assert_eq!(found.keys().collect::<Vec<_>>(), [token]);
    assert_eq!(found[token].len(), 2);
    assert_eq!(files_holding(dir.path(), b"enr_short").len(), 1);
}
