//! The demo program `jifen serve --demo` creates once: a few members with purchases.

use chrono::Duration;
use serde_json::json;

use jifen_core::PointPolicy;
use jifen_store::{MemberPatch, Program};

use crate::api::program::issue_key;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::events::{EventKind, ParsedEvent, record};

/// Creates the demo program if there is none, and gives it a fresh API key (the previous demo
/// keys are revoked: a secret is only ever shown once). Returns the program and the secret.
pub async fn ensure_demo(state: &AppState) -> Result<(Program, String), ApiError> {
    let program = match state.store.demo_program().await? {
        Some(p) => p,
        None => create(state).await?,
    };
    for key in state.store.list_api_keys(&program.id).await? {
        if key.revoked_at.is_none() && key.name == "demo" {
            state
                .store
                .revoke_api_key(&program.id, &key.id, state.clock.now())
                .await?;
        }
    }
    let (_, secret) = issue_key(state, &program.id, "demo", None).await?;
    Ok((program, secret))
}

/// The demo program's owner in the console.
pub const DEMO_OWNER: &str = "owner@demo.jifen.dev";

/// Makes sure the demo program has its owner in the console, with a fresh password (like the
/// API key, shown once at each start). Returns the email and the password.
pub async fn ensure_demo_owner(
    state: &AppState,
    program_id: &str,
) -> Result<(String, String), ApiError> {
    let added = crate::console::operators::add(
        state,
        program_id,
        DEMO_OWNER,
        Some("Demo Owner"),
        jifen_store::console::Role::Owner,
        None,
    )
    .await?;
    let password = match added.password {
        Some(p) => p,
        None => crate::console::operators::reset_password(state, DEMO_OWNER).await?,
    };
    Ok((DEMO_OWNER.to_owned(), password))
}

async fn create(state: &AppState) -> Result<Program, ApiError> {
    let now = state.clock.now();
    let program = Program {
        id: uuid::Uuid::now_v7().to_string(),
        name: "Demo Tea House".into(),
        timezone: "Asia/Shanghai".into(),
        currency: "CNY".into(),
        policy: PointPolicy::default(),
        demo: true,
        created_at: now,
        rate_limit: None,
    };
    state.store.create_program(&program).await?;
    let members = [
        ("m-1001", "Li Wei", "13800000001", "1990-05-17"),
        ("m-1002", "Wang Fang", "13800000002", "1988-11-02"),
        ("m-1003", "Zhang Min", "13800000003", "1995-02-14"),
    ];
    let mut events = Vec::new();
    for (i, (id, name, phone, birthday)) in members.iter().enumerate() {
        let phone = crate::parse::phone("phone", phone)?;
        state
            .store
            .upsert_member(
                &program.id,
                &MemberPatch {
                    external_id: (*id).into(),
                    name: Some((*name).into()),
                    phone: Some(phone.clone()),
                    birthday: Some(crate::parse::date("birthday", birthday)?),
                    city: Some("Shanghai".into()),
                    bind: vec![jifen_store::Identity {
                        kind: "phone".into(),
                        value: phone,
                    }],
                    at: now,
                    ..MemberPatch::default()
                },
            )
            .await?;
        for n in 0..2 {
            let amount = 15_800 + 10_000 * (i as i64) + 4_200 * n;
            events.push(ParsedEvent {
                id: format!("demo-{id}-order-{n}"),
                kind: EventKind::Purchase {
                    order_id: format!("demo-{id}-{n}"),
                    amount,
                },
                type_name: "purchase".into(),
                member: (*id).into(),
                occurred_at: now - Duration::days(10 - 3 * n),
                site: Some(if n == 0 { "tmall" } else { "wechat_mp" }.into()),
                guest: false,
                attributes: json!({"order_id": format!("demo-{id}-{n}"), "amount": amount}),
            });
        }
    }
    for outcome in record(state, &program, &events).await? {
        outcome?;
    }
    Ok(program)
}
