//! Every console page a route opens without parameters: its HTML, CSS and JavaScript (ECharts
//! excepted) weigh under 100 KB, answers are compressed for browsers that ask, assets carry
//! cache headers, and each page works in both languages.

mod common;

use common::console::{self as c, Signed};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;

jifen_store::backend_tests! {
    pages_weigh_under_100_kb_and_are_compressed => super::pages_weigh_under_100_kb_and_are_compressed;
}

/// The most a page's HTML, CSS and JavaScript may weigh, uncompressed.
const BUDGET: usize = 100 * 1024;

/// The `src` of scripts and the `href` of stylesheets of a page.
fn assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (attr, tag) in [
        ("src=\"", "<script"),
        ("href=\"", "<link rel=\"stylesheet\""),
    ] {
        for (i, _) in html.match_indices(tag) {
            let rest = &html[i..];
            let end = rest.find('>').unwrap_or(rest.len());
            if let Some(a) = rest[..end].find(attr) {
                let v = &rest[a + attr.len()..end];
                out.push(v.split('"').next().unwrap_or_default().to_owned());
            }
        }
    }
    out
}

async fn pages_weigh_under_100_kb_and_are_compressed(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for (id, amount) in [("m-1", 26_800), ("m-2", 9_900), ("m-3", 150_000)] {
        app.member(id).await;
        app.purchase(&format!("e-{id}"), id, &format!("o-{id}"), amount)
            .await;
    }
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let pages: Vec<&str> = jifen_server::console::route_table()
        .into_iter()
        .filter(|(m, p, _)| *m == axum::http::Method::GET && !p.contains('{'))
        .map(|(_, p, _)| p)
        .collect();
    assert!(pages.contains(&"/console/account"), "{pages:?}");
    for path in pages {
        for lang in ["zh-CN", "en"] {
            let signed = Signed {
                cookie: format!("{}; jifen_lang={lang}", s.cookie),
                csrf: s.csrf.clone(),
            };
            let page = c::get(&app, &signed, path).await;
            assert_eq!(page.status, StatusCode::OK, "{path} {lang}: {}", page.html);
            // A full page says its language; a fragment (an htmx partial) has no <html>.
            if page.html.contains("<html") {
                assert!(
                    page.html.contains(&format!("<html lang=\"{lang}\">")),
                    "{path} {lang}"
                );
            }
            let mut weight = page.html.len();
            for asset in assets(&page.html) {
                if asset.contains("echarts") {
                    continue;
                }
                let res = c::get(&app, &signed, &asset).await;
                assert_eq!(res.status, StatusCode::OK, "{asset}");
                weight += res.html.len();
            }
            assert!(weight < BUDGET, "{path} ({lang}) weighs {weight} bytes");
        }
        // A browser that takes gzip gets it.
        let res = c::send(
            c::client()
                .get(format!("{}{path}", app.base))
                .header("cookie", &s.cookie)
                .header("accept-encoding", "gzip"),
        )
        .await;
        assert_eq!(
            res.headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
    }
    // Vendored files are cached for a year, the console's own revalidated by ETag.
    let htmx = c::get(&app, &s, "/console/assets/htmx-2.0.11.min.js").await;
    let cache = htmx.headers.get("cache-control").unwrap().to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    let css = c::get(&app, &s, "/console/assets/console.css").await;
    let etag = css
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let again = c::send(
        c::client()
            .get(format!("{}/console/assets/console.css", app.base))
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let missing = c::get(&app, &s, "/console/assets/nope.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The API's JSON is not compressed (clients and load balancers do not all take it).
    let res = c::client()
        .get(format!("{}/v1/members/nobody", app.base))
        .header("authorization", format!("Bearer {}", app.key))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get("content-encoding").is_none());
}
