//! Data-subject requests through HTTP, on SQLite and PostgreSQL: a member's export holds
//! everything jifen keeps about them; an erasure removes the person and keeps the figures, once;
//! consent records are appended with time and source.

mod common;

use common::{TestApp, TestBackend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    export_holds_everything_about_the_member => super::export_holds_everything_about_the_member;
    erasure_removes_the_person_and_keeps_the_figures => super::erasure_removes_the_person_and_keeps_the_figures;
    consents_are_recorded_with_time_and_source => super::consents_are_recorded_with_time_and_source;
}

async fn enrol(app: &TestApp, id: &str, phone: &str) {
    let r = app
        .put(
            &format!("/v1/members/{id}"),
            json!({"name": "Li Wei", "phone": phone, "city": "Hangzhou",
                   "birthday": "1990-05-17", "attributes": {"vip_note": "prefers oolong"},
                   "identities": [{"kind": "wechat_unionid", "value": format!("union-{id}")}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

/// A purchase whose attributes carry free-form text beside the figures.
async fn purchase(app: &TestApp, event: &str, member: &str, order: &str) {
    let r = app
        .post(
            "/v1/events",
            json!({"id": event, "type": "purchase", "member": member,
                   "occurred_at": app.now().to_rfc3339(), "site": "tmall",
                   "attributes": {"order_id": order, "amount": 12_000,
                                  "delivery_note": "leave with the guard, Room 301"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

fn table<'a>(export: &'a Value, name: &str) -> &'a Vec<Value> {
    export["records"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} in {export}"))
}

async fn export_holds_everything_about_the_member(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    enrol(&app, "m-1", "13800000001").await;
    enrol(&app, "m-2", "13800000002").await;
    purchase(&app, "e-1", "m-1", "o-1").await;
    purchase(&app, "e-2", "m-2", "o-2").await;
    let r = app.adjust("m-1", "adj-1", 40).await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app.hold("m-1", "h-1", 10, 600).await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/members/m-1/consents",
            json!({"id": "c-1", "purpose": "marketing_sms", "granted": true,
                   "source": "signup_form", "channel": "wechat_mp"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

    let r = app.get("/v1/members/m-1/export").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let e = &r.body;
    assert_eq!(e["external_id"], "m-1");
    assert_eq!(e["member"]["name"], "Li Wei");
    assert_eq!(e["member"]["city"], "Hangzhou");
    assert_eq!(e["member"]["attributes"]["vip_note"], "prefers oolong");
    assert_eq!(e["balance"]["held"], 10);
    assert_eq!(e["consents"][0]["purpose"], "marketing_sms");
    assert_eq!(e["consents"][0]["source"], "signup_form");
    let idents: Vec<&str> = table(e, "identities")
        .iter()
        .map(|i| i["value"].as_str().unwrap())
        .collect();
    assert!(idents.contains(&"union-m-1") && idents.contains(&"+8613800000001"));
    let entries = table(e, "entries");
    let sum: i64 = entries.iter().map(|x| x["points"].as_i64().unwrap()).sum();
    assert!(entries.len() >= 3, "earn, adjust, hold: {entries:?}");
    assert_eq!(table(e, "lots").len(), 2);
    assert_eq!(table(e, "holds")[0]["id"], "h-1");
    assert_eq!(table(e, "orders")[0]["order_id"], "o-1");
    let events = table(e, "events");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["attributes"]["delivery_note"],
        "leave with the guard, Room 301"
    );
    for t in [
        "consents",
        "meter_entries",
        "member_tiers",
        "vouchers",
        "reward_redemptions",
        "checkouts",
        "gifts",
    ] {
        assert!(e["records"][t].is_array(), "{t} is listed");
    }
    assert!(sum != 0);
    // Quoted, so that a generated id such as "…8e-2f…" cannot match by chance.
    let text = e.to_string();
    assert!(
        !text.contains("\"e-2\"") && !text.contains("13800000002"),
        "nothing of m-2: {text}"
    );

    // Another program's key finds no such member; an unknown member is a 404.
    let other = app.other_program_key().await;
    let r = app
        .send_as(Some(&other), Method::GET, "/v1/members/m-1/export", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "member_not_found");
    let r = app.get("/v1/members/nobody/export").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn erasure_removes_the_person_and_keeps_the_figures(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    enrol(&app, "m-1", "13800000001").await;
    enrol(&app, "m-2", "13800000002").await;
    purchase(&app, "e-1", "m-1", "o-1").await;
    purchase(&app, "e-2", "m-2", "o-2").await;
    let r = app.hold("m-1", "h-1", 10, 3600).await;
    assert!(r.status.is_success(), "{r:?}");
    let balance = app.balance("m-1").await;
    let m1 = app
        .state
        .store
        .get_member(&app.program_id, "m-1")
        .await
        .unwrap()
        .unwrap();
    let ledger_before = app.state.store.ledger(m1.id).await.unwrap();

    // Another program's key cannot erase the member.
    let other = app.other_program_key().await;
    let r = app
        .send_as(Some(&other), Method::POST, "/v1/members/m-1/erase", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/v1/members/m-1").await.status, StatusCode::OK);

    let first = app
        .send_as(Some(&app.key), Method::POST, "/v1/members/m-1/erase", None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!(first.body["status"], "erased");
    assert_eq!(first.body["external_id"], "m-1");
    let pseudonym = first.body["pseudonym"].as_str().unwrap().to_owned();
    assert!(pseudonym.starts_with("erased:") && pseudonym.len() > 128);
    // Idempotent: a second call answers the same and changes nothing.
    app.advance(chrono::Duration::minutes(1));
    let second = app
        .send_as(Some(&app.key), Method::POST, "/v1/members/m-1/erase", None)
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body, first.body);

    // The person is gone: by id, by identity, in the list.
    assert_eq!(
        app.get("/v1/members/m-1").await.status,
        StatusCode::NOT_FOUND
    );
    for q in ["phone:13800000001", "wechat_unionid:union-m-1"] {
        let r = app.get(&format!("/v1/members?identity={q}")).await;
        assert_eq!(r.body["data"], json!([]), "{q}");
    }
    let list = app.get("/v1/members?limit=200").await;
    assert!(
        !list
            .body
            .to_string()
            .contains("Li Wei\",\"phone\":\"+8613800000001")
    );
    // It can neither earn nor redeem: no request reaches it.
    let r = app
        .post(
            "/v1/events",
            json!({"id": "e-3", "type": "purchase", "member": "m-1",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "o-3", "amount": 100}}),
        )
        .await;
    assert_eq!(r.code(), "member_not_found", "{r:?}");
    assert_eq!(
        app.redeem("m-1", "r-1", 1).await.status,
        StatusCode::NOT_FOUND
    );
    // A hold placed before the erasure can no longer be committed (it lapses at its deadline).
    let r = app.post("/v1/holds/h-1/commit", json!({})).await;
    assert_eq!(r.code(), "hold_not_found", "{r:?}");
    for path in [
        format!("/v1/members/{pseudonym}"),
        format!("/v1/members/{pseudonym}/balance"),
    ] {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.redeem(&pseudonym, "r-2", 1).await.status,
        StatusCode::NOT_FOUND
    );

    // The figures stay: the ledger is kept under the pseudonym, the profile is not.
    let kept = app
        .state
        .store
        .get_member(&app.program_id, &pseudonym)
        .await
        .unwrap()
        .expect("kept under the pseudonym");
    assert_eq!(kept.id, m1.id);
    assert_eq!(kept.status, "erased");
    assert!(kept.name.is_none() && kept.phone.is_none() && kept.birthday.is_none());
    assert!(kept.identities.is_empty());
    assert_eq!(kept.attributes, json!({}));
    let ledger_after = app.state.store.ledger(m1.id).await.unwrap();
    assert_eq!(ledger_after.entries, ledger_before.entries);
    let earned: i64 = ledger_after
        .entries
        .iter()
        .filter(|e| e.kind == jifen_core::EntryKind::Earn)
        .map(|e| e.points)
        .sum();
    assert_eq!(Some(earned), balance["lifetime_earned"].as_i64());
    let rows = app.state.store.member_rows(m1.id).await.unwrap();
    let text = serde_json::to_string(&rows).unwrap();
    assert!(!text.contains("Room 301"), "free-form attributes scrubbed");
    assert!(text.contains("12000"), "the amount stays");
    // The other member is untouched.
    let r = app.get("/v1/members/m-2").await;
    assert_eq!(r.body["name"], "Li Wei");
    let r = app.get("/v1/members/m-2/export").await;
    assert!(r.body.to_string().contains("Room 301"));

    // One audit record, under the member's internal id (which the erasure keeps), with the key
    // that asked and none of the erased data.
    let audit = app
        .state
        .store
        .audit_records(&app.program_id, "member", &m1.id.to_string())
        .await
        .unwrap();
    // The member's enrolment is recorded too (without its profile); the erasure once, last.
    let erasures: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "member.erase")
        .collect();
    assert_eq!(erasures.len(), 1);
    assert_eq!(audit.last().unwrap().action, "member.erase");
    assert!(
        erasures[0].actor.starts_with("api_key:"),
        "{}",
        erasures[0].actor
    );
    assert_eq!(erasures[0].after.as_ref().unwrap()["status"], "erased");
    let logged = format!("{audit:?}");
    assert!(!logged.contains("Li Wei") && !logged.contains("13800000001"));

    // The external id is free: a new member can take it, and starts with nothing.
    enrol(&app, "m-1", "13800000001").await;
    assert_eq!(app.balance("m-1").await["lifetime_earned"], 0);
    // Erasing the new one gives it a pseudonym of its own; the first erasure still answers.
    let r = app
        .send_as(Some(&app.key), Method::POST, "/v1/members/m-1/erase", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(r.body["pseudonym"], first.body["pseudonym"]);
    let r = app
        .send_as(
            Some(&app.key),
            Method::POST,
            "/v1/members/nobody/erase",
            None,
        )
        .await;
    assert_eq!(r.code(), "member_not_found");
}

async fn consents_are_recorded_with_time_and_source(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    enrol(&app, "m-1", "13800000001").await;
    let grant = json!({"id": "c-1", "purpose": "marketing_sms", "granted": true,
                       "at": "2026-05-31T10:00:00+08:00", "source": "store:12 paper form",
                       "channel": "store:12"});
    let r = app.post("/v1/members/m-1/consents", grant.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["at"], "2026-05-31T02:00:00Z");
    assert_eq!(r.body["source"], "store:12 paper form");
    assert_eq!(r.body["granted"], true);
    // A retry answers the same; the same id with another record is a conflict.
    let again = app.post("/v1/members/m-1/consents", grant.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, r.body);
    let mut changed = grant.clone();
    changed["granted"] = json!(false);
    let r = app.post("/v1/members/m-1/consents", changed).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "idempotency_conflict");
    let r = app
        .post(
            "/v1/members/m-1/consents",
            json!({"id": "c-2", "purpose": "marketing_sms", "granted": false,
                   "source": "wechat_mp settings"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["channel"], Value::Null);

    // Bad input: a typed error naming the field, and nothing recorded.
    for (body, field) in [
        (
            json!({"id": "c-3", "purpose": "Marketing SMS", "granted": true, "source": "x"}),
            "purpose",
        ),
        (
            json!({"id": "c-3", "purpose": "sms", "granted": true, "source": ""}),
            "source",
        ),
        (
            json!({"id": "c-3", "purpose": "sms", "granted": true, "source": "x", "channel": "a\u{0}b"}),
            "channel",
        ),
        (
            json!({"id": "c-3", "purpose": "sms", "granted": true, "source": "x", "at": "yesterday"}),
            "at",
        ),
        (
            json!({"id": "c-3", "purpose": "sms", "granted": true, "source": "x", "at": "2030-01-01T00:00:00Z"}),
            "at",
        ),
        (
            json!({"id": "", "purpose": "sms", "granted": true, "source": "x"}),
            "id",
        ),
    ] {
        let r = app.post("/v1/members/m-1/consents", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.body["error"]["field"], field, "{r:?}");
    }
    let r = app
        .post(
            "/v1/members/m-1/consents",
            json!({"id": "c-3", "purpose": "sms", "granted": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");

    // Newest first, in pages.
    let r = app.get("/v1/members/m-1/consents?limit=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"][0]["id"], "c-2");
    let next = r.body["next"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/v1/members/m-1/consents?limit=1&after={next}"))
        .await;
    assert_eq!(r.body["data"][0]["id"], "c-1");
    let r = app.get("/v1/members/m-1/consents").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);

    // Another program's key reaches none of it.
    let other = app.other_program_key().await;
    let r = app
        .send_as(Some(&other), Method::GET, "/v1/members/m-1/consents", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .send_as(
            Some(&other),
            Method::POST,
            "/v1/members/m-1/consents",
            Some(json!({"id": "c-9", "purpose": "sms", "granted": true, "source": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/v1/members/m-1/consents").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
