//! The role matrix: every console route × every role × its method. A cell the role may not
//! reach answers 403 and changes nothing in the database; a page the role may read opens.
//! Routes come from the same table the console's router is built from, so a new route is in the
//! matrix the moment it exists.

mod common;

use common::console::{self as c, Signed};
use common::{TestApp, TestBackend};
use jifen_server::console::auth::Perm;
use jifen_store::console::Role;
use reqwest::StatusCode;

jifen_store::backend_tests! {
    every_forbidden_cell_is_403_and_changes_nothing => super::every_forbidden_cell_is_403_and_changes_nothing;
    the_permissions_are_the_roles_of_the_issue => super::the_permissions_are_the_roles_of_the_issue;
}

/// A path of the table with its parameters filled (`{id}` → `x-1`).
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i + 1);
        out.push_str("x-1");
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

async fn send(app: &TestApp, s: &Signed, method: &axum::http::Method, path: &str) -> c::Page {
    let url = format!("{}{path}", app.base);
    let req = match *method {
        axum::http::Method::GET => c::client().get(url),
        _ => c::client()
            .request(
                reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                url,
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("csrf", s.csrf.as_str())]).unwrap()),
    };
    c::send(req.header("cookie", &s.cookie)).await
}

async fn every_forbidden_cell_is_403_and_changes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("x-1").await;
    let table = jifen_server::console::route_table();
    assert!(!table.is_empty());
    let mut checked = 0;
    for role in Role::ALL {
        let s = c::sign_in_as(&app, &format!("{role}@brand.cn"), role).await;
        let before = jifen_store::testkit::table_rows(app.database_url()).await;
        for (method, path, perm) in &table {
            if perm.allows(role) {
                continue;
            }
            let res = send(&app, &s, method, &concrete(path)).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{role} {method} {path}: {}",
                res.html
            );
            assert!(
                res.html.contains("您的角色无权执行此操作"),
                "{role} {method} {path}"
            );
            checked += 1;
        }
        assert_eq!(
            before,
            jifen_store::testkit::table_rows(app.database_url()).await,
            "a forbidden request of {role} changed the database"
        );
        // What the role may read opens (or says the object is not there), never 403.
        for (method, path, perm) in &table {
            if !perm.allows(role) || *method != axum::http::Method::GET {
                continue;
            }
            let res = send(&app, &s, method, &concrete(path)).await;
            assert_ne!(res.status, StatusCode::FORBIDDEN, "{role} GET {path}");
            assert!(
                !res.status.is_server_error(),
                "{role} GET {path}: {}",
                res.html
            );
        }
    }
    // The owner reaches everything, so the cells checked are those of the three other roles.
    let expected: usize = Role::ALL
        .iter()
        .map(|r| table.iter().filter(|(_, _, p)| !p.allows(*r)).count())
        .sum();
    assert_eq!(checked, expected);
}

async fn the_permissions_are_the_roles_of_the_issue(_b: TestBackend) {
    use Perm::*;
    use Role::*;
    let may =
        |role: Role| -> Vec<Perm> { Perm::ALL.into_iter().filter(|p| p.allows(role)).collect() };
    assert_eq!(may(Owner), vec![View, Configure, Serve, Administer]);
    assert_eq!(may(Marketer), vec![View, Configure]);
    assert_eq!(may(Support), vec![View, Serve]);
    assert_eq!(may(Viewer), vec![View]);
}
