//! `jifen maintain --at` rehearses on a copy: the report says what the jobs would write, and
//! every table of the database is as it was; the real pass of that month still runs.

mod common;

use common::process::jifen;
use common::{TestApp, TestBackend, t};
use reqwest::StatusCode;
use serde_json::{Value, json};

use jifen_store::testkit::table_rows;

jifen_store::backend_tests! {
    a_rehearsal_changes_nothing => super::a_rehearsal_changes_nothing;
    maintain_without_at_is_the_real_pass => super::maintain_without_at_is_the_real_pass;
    a_bad_instant_names_the_flag_and_changes_nothing =>
        super::a_bad_instant_names_the_flag_and_changes_nothing;
}

/// `jifen maintain` with `args` on the test's database; its JSON report.
fn maintain(app: &TestApp, args: &[&str]) -> Value {
    let out = jifen()
        .arg("maintain")
        .args(args)
        .args(["--database-url", app.database_url()])
        .output()
        .expect("run jifen maintain");
    assert!(
        out.status.success(),
        "jifen maintain {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

async fn a_rehearsal_changes_nothing(b: TestBackend) {
    // Spend tiers: points expire at the end of the year after they were earned; Gold from
    // ¥5,000 over 365 days, reviewed a year after the upgrade.
    let app = TestApp::spawn_template(b, "spend-tiers", t("2026-06-01T02:00:00Z")).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    let r = app.purchase("p1", "m1", "o1", 600_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["tier"]["to"], "gold", "{r:?}");
    // A refund takes m1 below Gold's threshold: the tier goes at the review, a year on.
    let r = app.refund("rf1", "m1", "o1", 200_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.purchase("p2", "m2", "o2", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A hold that lapses, too.
    let r = app.hold("m2", "h1", 50, 3_600).await;
    assert!(r.status.is_success(), "{r:?}");

    let before = table_rows(app.database_url()).await;
    assert!(before["entries"].len() >= 3, "{:?}", before["entries"]);

    // The last day of 2027, after midnight in Shanghai: 2026's points have expired.
    let end_of_2027 = maintain(&app, &["--at", "2027-12-31T18:00:00Z"]);
    assert_eq!(end_of_2027["rehearsal"], true, "{end_of_2027}");
    assert_eq!(end_of_2027["at"], "2027-12-31T18:00:00Z", "{end_of_2027}");
    assert!(
        end_of_2027["entries_by_kind"]["expire"]
            .as_i64()
            .is_some_and(|n| n >= 2),
        "both members' points expire: {end_of_2027}"
    );
    assert_eq!(
        end_of_2027["entries_by_kind"]["release"], 1,
        "the hold lapsed: {end_of_2027}"
    );
    assert_eq!(
        end_of_2027["entries"].as_i64(),
        end_of_2027["rows_by_table"]["entries"].as_i64(),
        "{end_of_2027}"
    );
    assert!(
        end_of_2027["tier_changes"].as_i64().is_some_and(|n| n >= 1),
        "m1's review (June 2027) is overdue: {end_of_2027}"
    );
    assert_eq!(table_rows(app.database_url()).await, before);

    let february = maintain(&app, &["--at", "2028-02-01T02:00:00Z"]);
    assert_eq!(february["rehearsal"], true, "{february}");
    assert!(
        february["tier_changes"].as_i64().is_some_and(|n| n >= 1),
        "{february}"
    );
    assert!(
        february["rows_by_table"]["tier_jobs"]
            .as_i64()
            .is_some_and(|n| n >= 1),
        "the rehearsal ran February's pass on its copy: {february}"
    );
    let after = table_rows(app.database_url()).await;
    for (table, rows) in &before {
        assert_eq!(Some(rows), after.get(table), "table {table} changed");
    }
    assert_eq!(after, before);

    // Nothing says February's pass ran: the real one does, and finds the same work.
    let r = app.get("/v1/tier-jobs/monthly-2028-02").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    assert_eq!(app.tier_of_m1().await, "gold");
    app.clock.set(t("2028-02-01T02:00:00Z"));
    let pass = jifen_server::jobs::run_once(&app.state)
        .await
        .expect("the real pass");
    assert_eq!(
        json!(pass.tier_changes),
        february["tier_changes"],
        "{pass:?}"
    );
    assert_eq!(json!(pass.entries), february["entries"], "{pass:?}");
    let r = app.get("/v1/tier-jobs/monthly-2028-02").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.tier_of_m1().await, "silver");
    assert_ne!(table_rows(app.database_url()).await, before);
}

impl TestApp {
    async fn tier_of_m1(&self) -> String {
        let r = self.get("/v1/members/m1").await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["tier"]["tier"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Without `--at`, `jifen maintain` runs what is due now, for real, and says so.
async fn maintain_without_at_is_the_real_pass(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app.purchase("p1", "m1", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A hold whose deadline, a minute after the test's start (June 2026), has passed by the
    // machine's clock.
    let r = app.hold("m1", "h1", 40, 60).await;
    assert!(r.status.is_success(), "{r:?}");
    let before = table_rows(app.database_url()).await;
    let report = maintain(&app, &[]);
    assert_eq!(report["rehearsal"], false, "{report}");
    assert_eq!(report["entries"], 1, "the hold's release: {report}");
    assert_ne!(table_rows(app.database_url()).await, before);
    // Written: a second pass finds nothing due.
    assert_eq!(maintain(&app, &[])["entries"], 0);
}

/// On PostgreSQL a rehearsal needs a role that may create its scratch database; one that may
/// not is told so, and nothing is changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsal_needs_a_role_that_may_create_a_database() {
    let app = TestApp::spawn(TestBackend::Postgres).await;
    app.member("m1").await;
    let role = jifen_store::testkit::TestRole::without_createdb().await;
    let before = table_rows(app.database_url()).await;
    let out = jifen()
        .args(["maintain", "--at", "2030-01-01T00:00:00Z", "--database-url"])
        .arg(role.url(app.database_url()))
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("role \"{}\" may not create databases", role.name)),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(table_rows(app.database_url()).await, before);
}

/// An `--at` that is not an instant is refused naming the flag, and nothing is changed.
async fn a_bad_instant_names_the_flag_and_changes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let before = table_rows(app.database_url()).await;
    for bad in ["tomorrow", "2027-12-31", "2027-13-01T00:00:00Z", ""] {
        let out = jifen()
            .args([
                "maintain",
                "--at",
                bad,
                "--database-url",
                app.database_url(),
            ])
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        assert!(!out.status.success(), "--at {bad:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--at must be an RFC 3339 instant with a time zone"),
            "--at {bad:?}: {err}"
        );
    }
    assert_eq!(table_rows(app.database_url()).await, before);
}
