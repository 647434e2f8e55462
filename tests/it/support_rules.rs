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
